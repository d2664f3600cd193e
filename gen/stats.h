/* stats.h - object counts of a model (hqc stats). */
#ifndef HQC_STATS_H
#define HQC_STATS_H

#include <stdio.h>

#include "model/model.h"

void stats_print(const HqModel *m, FILE *f);

#endif /* HQC_STATS_H */
