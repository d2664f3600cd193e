-- Objects the fixture schema never declared, on top of fixture_current.sql:
-- indexes, unique keys, foreign keys, checks, triggers and policies on its
-- tables (some matching the `unmanaged:` patterns of the test's _project.yaml:
-- indexes dba_*, constraints legacy_chk_*, triggers dba_*, policies "dba *"),
-- objects on the platform tables auth.users and storage.objects, leftover
-- overloads of declared functions (one SECURITY DEFINER and callable by anon),
-- a function of an undeclared name, undeclared columns and a table holding
-- data, and cron jobs the schema does not declare. Written by hand for
-- tests/suites/converge_fixture.sh.

set client_min_messages = warning;
set search_path = public, extensions;

-- 4. Undeclared objects on declared tables -----------------------------------
create index products_sku_prefix_idx on products (substr(sku, 1, 4));
create unique index customers_email_uniq on customers (email);
create index dba_orders_placed on orders (placed_at);              -- exempt: indexes dba_*
alter table products add constraint products_name_key unique (name);
alter table orders add constraint orders_total_nonneg check (total >= 0);
alter table products add constraint legacy_chk_price check (price < 100000);  -- exempt
alter table orders add constraint orders_customer_fk_old foreign key (customer_id) references customers (id);
alter table order_items add constraint order_items_order_customer_fk
  foreign key (order_id) references orders (id) on delete cascade;
create trigger orders_audit after insert on orders for each row execute function log_order_event('audit');
create policy "Everyone reads orders" on orders for select to anon using (true);
create policy "Staff reads customers" on customers for select to authenticated using (true);
create policy "dba audit" on order_items for select to service_role using (true);  -- exempt: policies "dba *"

-- ... and on platform tables, which hqc never prunes.
create index users_email_dba_idx on auth.users (lower(email));
create function public.audit_signup() returns trigger language plpgsql as $$
begin
  return new;
end $$;
create trigger users_audit after insert on auth.users for each row execute function public.audit_signup();
create trigger dba_audit_categories after update on categories             -- exempt: triggers dba_*
  for each row execute function public.audit_signup();
create policy "Users read own files" on storage.objects for select to authenticated
  using (owner = auth.uid());

-- 3. Leftover overloads of declared function names --------------------------
create function order_total(p_order_id bigint, p_with_tax boolean) returns numeric
  language sql stable security definer as
  $$ select case when p_with_tax then public.price_with_tax(public.order_total(p_order_id))
                 else public.order_total(p_order_id) end $$;
grant execute on function order_total(bigint, boolean) to anon;
create function place_order(p_items jsonb) returns bigint language plpgsql security definer as $$
begin
  return public.place_order(p_items, null);
end $$;
grant execute on function place_order(jsonb) to anon, authenticated;
create function price_with_tax(net numeric, rate numeric, currency text) returns numeric
  language sql immutable as $$ select round(net * (1 + rate), 2) $$;

-- 5. Undeclared columns and tables with data; a function of an undeclared name
alter table customers add column loyalty_points integer not null default 0;
update customers set loyalty_points = 10 * id where id > 1000;
create index idx_customers_loyalty on customers (loyalty_points);
alter table products add column legacy_code text;
update products set legacy_code = 'L-' || sku;
create table wishlists (
  id bigint generated always as identity primary key,
  customer_id bigint not null references customers on delete cascade,
  product_id uuid not null references products,
  added_at timestamptz not null default now()
);
insert into wishlists (customer_id, product_id, added_at) values
  (3001, '5b3c7c1e-0000-4000-8000-000000000002', '2024-05-01 12:00+00'),
  (3002, '5b3c7c1e-0000-4000-8000-0000000000c1', '2024-05-02 12:00+00');
create function customer_lifetime_value(p_customer bigint) returns numeric language sql stable as
  $$ select coalesce(sum(total), 0) from public.orders where customer_id = p_customer $$;

-- 7. Cron jobs the schema does not declare
select cron.schedule('nightly-totals', '0 2 * * *', 'SELECT public.order_total(1000)');
select cron.schedule('vacuum-events', '0 4 * * *', 'VACUUM public.order_events');
