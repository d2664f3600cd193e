# A NUL byte in a module file.
mkdir -p schema
echo 'project: { name: t }' >schema/_project.yaml
printf 'module: 001_a\nsummary: A NUL \000 in the middle\n' >schema/001_a.yaml
