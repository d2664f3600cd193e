# A FIFO named like a module file: reading it would wait for a writer
# forever; hqc reads regular files only.
mkdir -p schema
echo 'project: { name: t }' >schema/_project.yaml
printf 'module: 001_a\nsummary: Fine\n' >schema/001_a.yaml
mkfifo schema/002_b.yaml
