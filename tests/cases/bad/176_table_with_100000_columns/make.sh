# One table with 100,000 columns (a mapping of 100,000 keys) and an index
# that names a column it lacks: one error, found in time linear in the input
# (columns and keys are looked up by hash), within the bounds of the corpus.
mkdir -p schema
echo 'project: { name: t }' >schema/_project.yaml
{
	printf 'module: 001_a\nsummary: Wide\ntables:\n  wide:\n    columns:\n'
	seq 1 100000 | sed 's/.*/      c&: { type: text }/'
	printf '    indexes:\n      wide_idx: { key: [c99999], include: [c100001] }\n'
} >schema/001_a.yaml
