# A trait whose text (600 kB full of placeholders) is applied to 200 tables:
# the copies would take hundreds of megabytes; hqc stops at its limits.
mkdir -p schema
echo 'project: { name: t }' >schema/_project.yaml
{
	printf 'traits:\n  big:\n    columns:\n      note: { type: text, doc: "'
	yes '{table} ' | head -n 75000 | tr -d '\n'
	printf '" }\n'
} >schema/_traits.yaml
{
	printf 'module: 001_a\nsummary: Many tables with a big trait\ntables:\n'
	for i in $(seq 200); do printf '  t%d: { traits: [big], columns: { id: { type: uuid, primary_key: true } } }\n' "$i"; done
} >schema/001_a.yaml
