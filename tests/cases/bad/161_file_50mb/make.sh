# A 50 MB module file (comments): over the size limit of a schema file,
# refused before it is read.
mkdir -p schema
echo 'project: { name: t }' >schema/_project.yaml
{ printf 'module: 001_a\nsummary: Big\n'; yes '# padding padding padding padding padding padding padding padding' | head -c 52428800; } >schema/001_a.yaml
