# A module file nobody may read (the test runs hqc as user nobody when it
# runs as root, who could read it anyway).
mkdir -p schema
echo 'project: { name: t }' >schema/_project.yaml
printf 'module: 001_a\nsummary: Fine\n' >schema/001_a.yaml
printf 'module: 002_b\nsummary: Secret\n' >schema/002_b.yaml
chmod 000 schema/002_b.yaml
