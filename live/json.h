/* json.h - the little JSON the live reports need: escaped strings. */
#ifndef HQC_LIVE_JSON_H
#define HQC_LIVE_JSON_H

#include <stdio.h>

/* Writes s as a JSON string ("..." with escapes), or null when s is NULL. */
void live_json_str(FILE *f, const char *s);

#endif /* HQC_LIVE_JSON_H */
