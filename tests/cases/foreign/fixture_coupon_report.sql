-- On top of fixture_current.sql and fixture_coupons.sql: a report view the
-- schema does not declare reads orders.coupon_code. The declared drop_column
-- must not drop it silently (a view of an undeclared name is not the schema's
-- to drop): the step fails with a message that names the view. Written by
-- hand for tests/suites/converge_fixture.sh.

set search_path = public, extensions;

create view coupon_report as
  select coupon_code, count(*) as orders from public.orders where coupon_code is not null group by coupon_code;
