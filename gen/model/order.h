/* order.h - the order in which a module creates its tables and functions
 * and adds columns to earlier tables: a stable topological sort (ties keep
 * declaration order, changed earlier tables, then new tables, then
 * functions). Foreign keys that would close a cycle are deferred: the
 * emitter adds them with ALTER TABLE once every table exists. */
#ifndef HQC_ORDER_H
#define HQC_ORDER_H

#include "model/model.h"

typedef struct {
    HqTableDelta *table;        /* exactly one of table / function is set */
    HqFunction *function;
} OrderItem;

typedef struct {
    size_t n;
    OrderItem *items;
    HqVec deferred_fks;         /* HqConstraint* not emitted inline */
    HqPtrSet *deferred;         /* the same as a set, for order_fk_deferred */
} ModuleOrder;

void order_module(HqArena *a, const HqModel *m, const HqModule *mod, ModuleOrder *out);
/* True if fk is emitted after the tables (not inline in CREATE TABLE). */
bool order_fk_deferred(const ModuleOrder *o, const HqConstraint *fk);

#endif /* HQC_ORDER_H */
