-- Money is bigint, as in catalog and payments (security finding 8).
--
-- The order's amounts were `integer`: at most 2,147,483,647 minor units (21,474,836.47), while a
-- cart holds 100 lines of 999 units at prices up to 100,000,000.00 (catalog's cap then; 1,000,000.00
-- now). A larger order was authorized by payments and then failed at its insert here. Every amount is now `bigint`, bounded
-- by the caps of packages/contracts/src/money.ts (at most 9,990,100,000,000, exact in JavaScript).
-- The checks (subtotal, shipping ≥ 0, total = subtotal + shipping, refunded_amount within the
-- total) stay as they are; the lines' unit prices are JSON numbers and need nothing. ALTER ... TYPE
-- rewrites the table and its indexes under an exclusive lock: orders wait for it during the upgrade.
ALTER TABLE orders
  ALTER COLUMN subtotal TYPE bigint,
  ALTER COLUMN shipping TYPE bigint,
  ALTER COLUMN total TYPE bigint,
  ALTER COLUMN refunded_amount TYPE bigint;
