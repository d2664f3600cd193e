# Module files that are symbolic links in a loop, and a directory link
# back to the schema directory (hqc reads no subdirectories).
mkdir -p schema
echo 'project: { name: t }' >schema/_project.yaml
printf 'module: 001_a\nsummary: Fine\n' >schema/001_a.yaml
ln -s 003_c.yaml schema/002_b.yaml
ln -s 002_b.yaml schema/003_c.yaml
ln -s . schema/004_d.yaml.d
