/* sha256.h - SHA-256 (FIPS 180-4) of a byte string, as lowercase hex: the
 * checksum hqc apply records for every unit it runs. */
#ifndef HQC_LIVE_SHA256_H
#define HQC_LIVE_SHA256_H

#include <stddef.h>

#define LIVE_SHA256_HEX 65   /* 64 hex digits and the NUL */

/* Writes the digest of data[0..len) as 64 lowercase hex digits plus a NUL. */
void sha256_hex(const void *data, size_t len, char out[LIVE_SHA256_HEX]);

#endif /* HQC_LIVE_SHA256_H */
