# A value nested 10,000 sequences deep (and its mapping twin in a second
# file): hqc stops at its nesting limit instead of recursing.
mkdir -p schema
echo 'project: { name: t }' >schema/_project.yaml
{ printf 'module: 001_a\nsummary: Deep nesting\ndoc: '; printf '%.0s[' $(seq 10000); printf 'x'; printf '%.0s]' $(seq 10000); echo; } >schema/001_a.yaml
{ printf 'module: 002_b\nsummary: Deep nesting\ndoc: '; printf '%.0s{a: ' $(seq 10000); printf 'x'; printf '%.0s}' $(seq 10000); echo; } >schema/002_b.yaml
