# Two million tiny scalars (4 MB): more YAML nodes than a run accepts.
mkdir -p schema
echo 'project: { name: t }' >schema/_project.yaml
{ printf 'module: 001_a\nsummary: Many nodes\ndoc: ['; yes 'x,' | head -n 2000000 | tr -d '\n'; printf 'x]\n'; } >schema/001_a.yaml
