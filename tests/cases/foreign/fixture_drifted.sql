-- Drift on top of fixture_current.sql: every object keeps its declared name
-- but has another definition, privileges are broader (and some narrower)
-- than declared, and settings differ. After the fixture's migrations the
-- database must equal a fresh install, except what a role the schema does
-- not name (reporting) was granted. Written by hand for
-- tests/suites/converge_fixture.sh.

set client_min_messages = warning;
set search_path = public, extensions;

-- 1. Same name, other definition --------------------------------------------
-- index keys, method, predicate, options
drop index idx_products_price;
create index idx_products_price on products (price);
drop index idx_products_tags;
create index idx_products_tags on products (tags);
drop index idx_categories_parent_position;
create index idx_categories_parent_position on categories (parent_id, position);
drop index idx_orders_open;
create index idx_orders_open on orders (placed_at desc nulls last) where status <> 'cancelled';
drop index customers_email_lower_key;
create unique index customers_email_lower_key on customers (email);
-- CHECK expression
alter table customers drop constraint customers_name_length,
  add constraint customers_name_length check (length(display_name) <= 100);
alter table returns drop constraint returns_refund_check,
  add constraint returns_refund_check check (refund >= 0);
-- foreign key target columns and actions
alter table order_items drop constraint order_items_product_fk,
  add constraint order_items_product_fk foreign key (product_id) references products on delete cascade;
alter table categories drop constraint categories_parent_id_fkey,
  add constraint categories_parent_id_fkey foreign key (parent_id) references categories;
alter table order_events drop constraint order_events_order_fk,
  add constraint order_events_order_fk foreign key (order_id) references orders (id) deferrable initially deferred;
-- unique columns
alter table addresses drop constraint addresses_customer_line_key,
  add constraint addresses_customer_line_key unique (customer_id, line1);
alter table orders drop constraint orders_reference_key,
  add constraint orders_reference_key unique (reference, customer_id);
-- policy roles, command, expressions, permissiveness
drop policy "Customer reads self" on customers;
create policy "Customer reads self" on customers for select to anon, authenticated using (true);
drop policy "Public categories" on categories;
create policy "Public categories" on categories to anon, authenticated using (true) with check (true);
drop policy "Items of own orders" on order_items;
create policy "Items of own orders" on order_items for select to authenticated
  using (exists (select 1 from orders o where o.id = order_id));
drop policy "Not blocked" on customers;
create policy "Not blocked" on customers to authenticated using (not blocked);
-- trigger timing, events, function arguments, WHEN
drop trigger products_stock_guard on products;
create trigger products_stock_guard before update of stock on products
  for each row when (new.stock < 0) execute function reject_change('no negative stock');
drop trigger orders_status_changed on orders;
create trigger orders_status_changed after update on orders
  for each row execute function log_order_event('state');
drop trigger customers_touch on customers;
create trigger customers_touch after update on customers for each row execute function touch_updated_at();
alter table orders disable trigger orders_returned_stamp;
-- view query and options
create or replace view open_orders as
  select o.id, o.customer_id, o.status, o.total, o.placed_at
    from public.orders o
   where o.status <> 'cancelled';
alter view open_orders reset (security_invoker);
-- function attributes and bodies under the declared signatures
alter function current_customer_id() security invoker;
alter function is_slug(text) volatile;
alter function place_order(jsonb, text) reset search_path;
alter function price_with_tax(numeric, numeric) called on null input;
create or replace function new_return_code() returns text language sql as
  $$ select 'R-' || substr(md5(random()::text), 1, 6) $$;

-- 2. Privileges: broader for the project roles and PUBLIC -------------------
grant all on all tables in schema public to anon, authenticated;
grant all on all sequences in schema public to anon, authenticated;
grant execute on all functions in schema public to anon, authenticated, public;
grant select on products to authenticated with grant option;
grant update (email), references (email) on customers to authenticated;
grant select (email, blocked) on customers to anon;
grant insert (reason) on returns to anon;
grant create on schema public to anon, authenticated;
alter default privileges in schema public grant all on tables to anon, authenticated;
alter default privileges in schema public grant all on sequences to anon;
alter default privileges in schema public grant execute on functions to anon;
alter default privileges grant all on tables to authenticated;
alter default privileges in schema public revoke all on sequences from service_role;
-- ... and narrower: what the schema grants was taken away
revoke select on categories from anon;
revoke all on orders from service_role;
revoke execute on function product_search(text, integer) from anon;
revoke usage on schema public from service_role;
-- A role the schema does not name keeps what it was given.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'reporting') then
    create role reporting nologin;
  end if;
end $$;
grant usage on schema public to reporting;
grant select on all tables in schema public to reporting;
grant execute on function order_total(bigint) to reporting;
alter default privileges in schema public grant select on tables to reporting;

-- 7. Settings ----------------------------------------------------------------
alter table customers no force row level security;
alter table order_events disable row level security;
alter table categories force row level security;
alter table orders replica identity default;
alter table products replica identity full;
alter publication supabase_realtime drop table orders;
alter publication supabase_realtime add table products, customers;
alter table orders alter column channel set default 'web';
alter table orders alter column note drop default;
alter table customers alter column display_name set default 'guest';
alter table customers alter column email set not null;
alter table orders alter column tracking_code set default 'n/a';
alter table order_events alter column status drop not null;
comment on table products is 'Things we sell (old wording).';
comment on column orders.note is 'Free text.';
comment on function order_total(bigint) is 'Old comment.';
comment on policy "Back office" on orders is 'Staff.';
comment on index idx_products_search is 'Search.';
select to_regnamespace('cron') is not null as has_cron \gset
\if :has_cron
select cron.alter_job((select jobid from cron.job where jobname = 'refresh-catalog'),
                      schedule := '0 * * * *', command := 'UPDATE products SET stock = 0 WHERE stock < 0');
\endif
