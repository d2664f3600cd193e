/* fuzz_sql.h - the fragment kinds of fuzz_sql.c, shared with the seed
 * extractor (fuzz_seeds.c). An input's first byte is kind + N_KINDS * style,
 * style 0..3: literal block, folded block, double-quoted, single-quoted. */
#ifndef HQC_FUZZ_SQL_H
#define HQC_FUZZ_SQL_H

enum { K_DEFAULT, K_CHECK, K_POLICY, K_INDEX_KEY, K_INDEX_WHERE, K_WHEN, K_SQL_BODY, K_PLPGSQL_BODY, K_CRON,
       K_DATA_STEP, K_VIEW, K_GENERATED, K_TYPE, N_KINDS };

#endif /* HQC_FUZZ_SQL_H */
