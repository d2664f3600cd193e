/* emit_backfill.c - columns with `backfill:`. ADD COLUMN ... NOT NULL fails
 * on a table with rows, so such a column is added nullable, the existing
 * rows get the backfill expression (which may read the row's other
 * columns), and only then is it made NOT NULL, in one guarded block that
 * tests the catalog first. */
#include "emit/sql/emit_backfill.h"

#include "base/sqlbuf.h"

void emit_backfill_column(StrBuf *b, const HqTable *t, const HqColumn *c, bool not_null, const HqSql *dflt)
{
    StrBuf body;
    strbuf_init(&body);
    strbuf_puts(&body, "\nDECLARE\n  present boolean;\n  nullable boolean;\nBEGIN\n"
                       "  SELECT true, NOT a.attnotnull INTO present, nullable\n"
                       "    FROM pg_catalog.pg_attribute a\n   WHERE a.attrelid = ");
    sqlbuf_literal(&body, t->qname);
    strbuf_puts(&body, "::regclass AND a.attname = ");
    sqlbuf_literal(&body, c->name);
    strbuf_puts(&body, " AND NOT a.attisdropped;\n  IF present IS NULL THEN\n    ALTER TABLE ");
    sqlbuf_qualified(&body, t->qname);
    strbuf_puts(&body, " ADD COLUMN ");
    sqlbuf_ident(&body, c->name);
    strbuf_printf(&body, " %s;\n  ELSIF NOT nullable OR NOT EXISTS (SELECT 1 FROM ", c->type.sql);
    sqlbuf_qualified(&body, t->qname);
    strbuf_puts(&body, " WHERE ");
    sqlbuf_ident(&body, c->name);
    strbuf_puts(&body, " IS NULL) THEN\n    RETURN;\n  END IF;\n");
    StrBuf msg;
    strbuf_init(&msg);
    strbuf_printf(&msg, "hqc: backfill %s.%s of the existing rows", t->name, c->name);
    sqlbuf_notice(&body, "  ", msg.data);
    strbuf_free(&msg);
    strbuf_puts(&body, "  UPDATE ");
    sqlbuf_qualified(&body, t->qname);
    strbuf_puts(&body, " SET ");
    sqlbuf_ident(&body, c->name);
    strbuf_printf(&body, " = (%s) WHERE ", c->backfill.text);
    sqlbuf_ident(&body, c->name);
    strbuf_puts(&body, " IS NULL;\n");
    if ((dflt && dflt->text) || not_null) {
        strbuf_puts(&body, "  ALTER TABLE ");
        sqlbuf_qualified(&body, t->qname);
        const char *sep = " ";
        if (dflt && dflt->text) {
            strbuf_puts(&body, sep);
            strbuf_puts(&body, "ALTER COLUMN ");
            sqlbuf_ident(&body, c->name);
            strbuf_printf(&body, " SET DEFAULT %s", dflt->text);
            sep = ",\n    ";
        }
        if (not_null) {
            strbuf_puts(&body, sep);
            strbuf_puts(&body, "ALTER COLUMN ");
            sqlbuf_ident(&body, c->name);
            strbuf_puts(&body, " SET NOT NULL");
        }
        strbuf_puts(&body, ";\n");
    }
    strbuf_puts(&body, "END\n");
    strbuf_printf(b, "-- Column %s.%s: added nullable, backfilled, then NOT NULL\nDO ", t->name, c->name);
    sqlbuf_dollar(b, body.data, "hqc");
    strbuf_puts(b, ";\n\n");
    strbuf_free(&body);
}
