/* json.h - JSON string escaping, shared by every JSON hqc writes (lint
 * findings, hqc diff, the live reports). */
#ifndef HQC_JSON_H
#define HQC_JSON_H

#include <stdio.h>

/* Writes s as a JSON string ("..." with escapes), or null when s is NULL. */
void json_str(FILE *f, const char *s);

#endif /* HQC_JSON_H */
