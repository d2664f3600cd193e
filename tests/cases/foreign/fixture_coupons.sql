-- The coupon feature of an older shop, on top of fixture_current.sql, for the
-- change steps of tests/cases/foreign/fixture_changes/006_cleanup.yaml: a
-- table `coupons`, a column `orders.coupon_code` referencing it (foreign key
-- and index of their own names) and a trigger function `apply_coupon()` that
-- a trigger on orders calls. None of the dependents is declared, and each is
-- an object the schema would drop anyway (on a declared table). Written by
-- hand for tests/suites/converge_fixture.sh.

set client_min_messages = warning;
set search_path = public, extensions;

create table coupons (
  code text primary key,
  percent integer not null check (percent between 1 and 100)
);
insert into coupons values ('SPRING10', 10), ('VIP25', 25);
alter table orders add column coupon_code text constraint orders_coupon_fk references coupons;
create index orders_coupon_idx on orders (coupon_code) where coupon_code is not null;
create policy "Coupon orders for staff" on orders for select to service_role using (coupon_code is not null);
update orders set coupon_code = 'SPRING10' where id = 3101;

create function apply_coupon() returns trigger language plpgsql as $$
begin
  if new.coupon_code is not null then
    new.note := coalesce(new.note, '') || ' [coupon ' || new.coupon_code || ']';
  end if;
  return new;
end $$;
create trigger orders_apply_coupon before insert or update of coupon_code on orders
  for each row execute function apply_coupon();
