# Three module files of 15 MB each: each under the size limit of a file,
# together over the limit of a run.
mkdir -p schema
echo 'project: { name: t }' >schema/_project.yaml
for m in 001_a 002_b 003_c; do
	{ printf 'module: %s\nsummary: Big\n' $m; yes '# padding padding padding padding padding padding padding padding' | head -c 15728640; } >schema/$m.yaml
done
