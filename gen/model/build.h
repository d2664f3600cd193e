/* build.h - the build stage: schema directory -> model.
 * Reports every problem it finds through diag; the model is usable for
 * further checking even when errors were reported. */
#ifndef HQC_BUILD_H
#define HQC_BUILD_H

#include "model/model.h"

/* Returns 0, or 2 when a file could not be read (an I/O error). */
int build_model(HqArena *a, const char *dir, HqModel *m);

#endif /* HQC_BUILD_H */
