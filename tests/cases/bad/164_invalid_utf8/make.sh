# Bytes that are not UTF-8 (Latin-1 "é", a stray continuation byte), and a
# UTF-16 file with its byte order mark: schema files are UTF-8.
mkdir -p schema
echo 'project: { name: t }' >schema/_project.yaml
printf 'module: 001_a\nsummary: caf\351\n' >schema/001_a.yaml
printf 'module: 002_b\nsummary: ok \200\n' >schema/002_b.yaml
printf '\377\376m\000o\000d\000' >schema/003_c.yaml
