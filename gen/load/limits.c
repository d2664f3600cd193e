/* limits.c - the run's budgets of YAML nodes and bytes. */
#include "load/limits.h"

static size_t nodes, bytes;
static bool reported;

bool limits_take_nodes(size_t n)
{
    if (n > LIMIT_NODES - nodes) {
        nodes = LIMIT_NODES;
        return false;
    }
    nodes += n;
    return true;
}

bool limits_take_bytes(size_t n)
{
    if (n > LIMIT_TOTAL_BYTES - bytes) {
        bytes = LIMIT_TOTAL_BYTES;
        return false;
    }
    bytes += n;
    return true;
}

size_t limits_nodes_left(void)
{
    return LIMIT_NODES - nodes;
}

bool limits_first_report(void)
{
    bool first = !reported;
    reported = true;
    return first;
}

void limits_reset(void)
{
    nodes = bytes = 0;
    reported = false;
}
