/* hq_codec_time.c - date and timestamptz in PostgreSQL's ISO text form, to and from day and
 * microsecond counts since the Unix epoch. Calendar math is proleptic Gregorian (as PostgreSQL's)
 * using Howard Hinnant's days_from_civil algorithm, so any offset, BC years and years beyond 9999
 * convert exactly; values that do not fit int64 microseconds are HQ_ERR_RANGE, not wrapped.
 */
#include "hq_int.h"

#include <string.h>

#define USECS_PER_SEC INT64_C(1000000)
#define USECS_PER_DAY INT64_C(86400000000)

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && (a < 0) != (b < 0))
        q--;
    return q;
}

static bool is_leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days since 1970-01-01 of a valid proleptic Gregorian date (astronomical year). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly n digits (n > 0). */
static bool digits(const char **pp, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char ch = (*pp)[i];
        if (ch < '0' || ch > '9')
            return false;
        v = v * 10 + (ch - '0');
    }
    *pp += n;
    *out = v;
    return true;
}

/* "YYYY-MM-DD" with 4 to 9 year digits; the BC suffix is handled by the callers. */
static bool parse_ymd(const char **pp, int64_t *y, int *m, int *d)
{
    const char *p = *pp;
    int64_t year = 0;
    int n = 0;
    for (; p[n] >= '0' && p[n] <= '9' && n < 10; n++)
        year = year * 10 + (p[n] - '0');
    if (n < 4 || n > 9)
        return false;
    p += n;
    if (*p++ != '-' || !digits(&p, 2, m) || *p++ != '-' || !digits(&p, 2, d))
        return false;
    *y = year;
    *pp = p;
    return true;
}

/* Applies " BC" (year 1 BC is astronomical year 0) and checks the day of month. */
static bool finish_date(const char **pp, int64_t *y, int m, int d)
{
    if (strncmp(*pp, " BC", 3) == 0) {
        if (*y == 0)
            return false;
        *y = 1 - *y;
        *pp += 3;
    } else if (*y == 0) {
        return false; /* there is no year 0 AD */
    }
    return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(*y, m);
}

HqStatus hq_decode_date(const char *s, int32_t *out, HqError *err)
{
    if (strcmp(s, "infinity") == 0) {
        *out = HQ_DATE_INFINITY;
        return HQ_OK;
    }
    if (strcmp(s, "-infinity") == 0) {
        *out = HQ_DATE_NEG_INFINITY;
        return HQ_OK;
    }
    const char *p = s;
    int64_t y;
    int m, d;
    if (!parse_ymd(&p, &y, &m, &d) || !finish_date(&p, &y, m, d) || *p != '\0')
        return hq_error_set(err, HQ_ERR_DECODE, "invalid date text \"%.64s\"", s);
    int64_t days = days_from_civil(y, m, d);
    if (days <= INT32_MIN || days >= INT32_MAX)
        return hq_error_set(err, HQ_ERR_RANGE, "date \"%.64s\" out of range", s);
    *out = (int32_t)days;
    return HQ_OK;
}

/* "+HH", "+HH:MM", "+HH:MM:SS" or "Z"; returns seconds east of UTC. */
static bool parse_offset(const char **pp, int64_t *secs)
{
    const char *p = *pp;
    if (*p == 'Z') {
        *pp = p + 1;
        *secs = 0;
        return true;
    }
    if (*p != '+' && *p != '-')
        return false;
    int sign = *p++ == '-' ? -1 : 1;
    int h, mi = 0, se = 0;
    if (!digits(&p, 2, &h))
        return false;
    if (*p == ':') {
        p++;
        if (!digits(&p, 2, &mi))
            return false;
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &se))
                return false;
        }
    }
    if (h > 15 || mi > 59 || se > 59)
        return false;
    *secs = sign * ((int64_t)h * 3600 + mi * 60 + se);
    *pp = p;
    return true;
}

HqStatus hq_decode_timestamptz(const char *s, int64_t *out, HqError *err)
{
    if (strcmp(s, "infinity") == 0) {
        *out = HQ_TIMESTAMP_INFINITY;
        return HQ_OK;
    }
    if (strcmp(s, "-infinity") == 0) {
        *out = HQ_TIMESTAMP_NEG_INFINITY;
        return HQ_OK;
    }
    const char *p = s;
    int64_t y, off;
    int mo, d, h, mi, se, usec = 0;
    if (!parse_ymd(&p, &y, &mo, &d) || (*p != ' ' && *p != 'T'))
        goto bad;
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
        !digits(&p, 2, &se))
        goto bad;
    if (*p == '.') {
        p++;
        int n = 0;
        while (p[n] >= '0' && p[n] <= '9')
            n++;
        if (n == 0 || n > 6)
            goto bad; /* the server prints at most microseconds */
        for (int i = 0; i < 6; i++)
            usec = usec * 10 + (i < n ? p[i] - '0' : 0);
        p += n;
    }
    if (!parse_offset(&p, &off) || !finish_date(&p, &y, mo, d) || *p != '\0')
        goto bad;
    if (h > 23 || mi > 59 || se > 59)
        goto bad;
    int64_t days = days_from_civil(y, mo, d);
    if (days > INT64_MAX / USECS_PER_DAY - 2 || days < INT64_MIN / USECS_PER_DAY + 2)
        goto range;
    /* Two days of headroom: adding a time of day and a 16-hour offset cannot wrap. */
    int64_t local = days * USECS_PER_DAY +
                    ((int64_t)h * 3600 + mi * 60 + se) * USECS_PER_SEC + usec;
    int64_t v = local - off * USECS_PER_SEC;
    if (v == HQ_TIMESTAMP_INFINITY || v == HQ_TIMESTAMP_NEG_INFINITY)
        goto range;
    *out = v;
    return HQ_OK;
bad:
    return hq_error_set(err, HQ_ERR_DECODE, "invalid timestamptz text \"%.64s\"", s);
range:
    return hq_error_set(err, HQ_ERR_RANGE, "timestamptz \"%.64s\" out of range", s);
}

static void put_ymd(HqBuf *b, int64_t days)
{
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    hq_buf_printf(b, "%04lld-%02d-%02d", (long long)(y > 0 ? y : 1 - y), m, d);
}

static bool bc(int64_t days)
{
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    return y <= 0;
}

HqStatus hq_encode_date(int32_t v, HqBuf *out, HqError *err)
{
    if (v == HQ_DATE_INFINITY)
        hq_buf_puts(out, "infinity");
    else if (v == HQ_DATE_NEG_INFINITY)
        hq_buf_puts(out, "-infinity");
    else {
        put_ymd(out, v);
        if (bc(v))
            hq_buf_puts(out, " BC");
    }
    return out->oom ? hq_error_nomem(err) : HQ_OK;
}

HqStatus hq_encode_timestamptz(int64_t v, HqBuf *out, HqError *err)
{
    if (v == HQ_TIMESTAMP_INFINITY) {
        hq_buf_puts(out, "infinity");
    } else if (v == HQ_TIMESTAMP_NEG_INFINITY) {
        hq_buf_puts(out, "-infinity");
    } else {
        int64_t days = floor_div(v, USECS_PER_DAY);
        int64_t tod = v - days * USECS_PER_DAY;
        int64_t secs = tod / USECS_PER_SEC;
        int usec = (int)(tod % USECS_PER_SEC);
        put_ymd(out, days);
        hq_buf_printf(out, " %02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60),
                      (int)(secs % 60));
        if (usec != 0)
            hq_buf_printf(out, ".%06d", usec);
        hq_buf_puts(out, "+00");
        if (bc(days))
            hq_buf_puts(out, " BC");
    }
    return out->oom ? hq_error_nomem(err) : HQ_OK;
}

HqStatus hq_date_from_ymd(int64_t year, int month, int day, int32_t *days)
{
    /* Bound the year first so days_from_civil cannot overflow. */
    if (year < -6000000 || year > 6000000 || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month))
        return HQ_ERR_RANGE;
    int64_t v = days_from_civil(year, month, day);
    if (v <= INT32_MIN || v >= INT32_MAX)
        return HQ_ERR_RANGE;
    *days = (int32_t)v;
    return HQ_OK;
}

void hq_date_to_ymd(int32_t days, int64_t *year, int *month, int *day)
{
    civil_from_days(days, year, month, day);
}

HqStatus hq_timestamp_from_parts(int64_t year, int month, int day, int hour, int minute,
                                 int second, int usec, int64_t *usecs)
{
    if (year < -300000 || year > 300000 || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month) || hour < 0 || hour > 23 || minute < 0 ||
        minute > 59 || second < 0 || second > 59 || usec < 0 || usec > 999999)
        return HQ_ERR_RANGE;
    int64_t days = days_from_civil(year, month, day);
    if (days > INT64_MAX / USECS_PER_DAY - 2 || days < INT64_MIN / USECS_PER_DAY + 2)
        return HQ_ERR_RANGE;
    *usecs = days * USECS_PER_DAY + ((int64_t)hour * 3600 + minute * 60 + second) * USECS_PER_SEC +
             usec;
    return HQ_OK;
}
