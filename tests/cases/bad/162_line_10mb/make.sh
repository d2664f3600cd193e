# A line of 10 MB: one flow mapping whose `doc` is a 10 MB scalar, with an
# unknown key after it: the error names the right column of that line.
mkdir -p schema
echo 'project: { name: t }' >schema/_project.yaml
{ printf '{module: 001_a, summary: One long line, doc: '; head -c 10485760 /dev/zero | tr '\0' 'x'; printf ', bogus: 1}\n'; } >schema/001_a.yaml
