/* drift_report.h - the report of hqc drift: text, markdown or JSON, or the
 * converging statements (--sql). */
#ifndef HQC_LIVE_DRIFT_REPORT_H
#define HQC_LIVE_DRIFT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "live/report.h"

void live_report_drift(const LiveReport *r, LiveFormat fmt, bool sql, FILE *out);

#endif /* HQC_LIVE_DRIFT_REPORT_H */
