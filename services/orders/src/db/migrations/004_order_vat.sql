-- VAT on online orders (issue 18). Prices include VAT; each line now keeps its product's VAT rate
-- (basis points, contracts' vat.ts: 2000 = 20 %) as catalog gave it at checkout, and the order keeps
-- its breakdown per rate, [{rate, base, vat, total}], highest rate first, whose totals add up to the
-- order's total (the shipping fee taxed at the highest rate among the lines: model/order.ts, vatOf).
--
-- Orders placed before this migration were priced when catalog knew no rates: every product was at
-- the default rate, 20 %. So their lines get `"vatRate": 2000`, and their breakdown is computed here
-- at 20 % over the whole total (lines and shipping alike): one row, base = total / 1.2 rounded half
-- up to the cent, as vatBreakdown computes it. No order is left with an empty breakdown.
ALTER TABLE orders ADD COLUMN vat jsonb;

UPDATE orders
   SET lines = (SELECT jsonb_agg(CASE WHEN line ? 'vatRate' THEN line ELSE line || '{"vatRate": 2000}' END ORDER BY n)
                  FROM jsonb_array_elements(lines) WITH ORDINALITY AS x(line, n)),
       vat = jsonb_build_array(jsonb_build_object(
               'rate', 2000,
               'base', (total * 20000 + 12000) / 24000,
               'vat', total - (total * 20000 + 12000) / 24000,
               'total', total))
 WHERE vat IS NULL;

-- From now on checkout writes it with the order: an instance of the previous version still running
-- during a rolling upgrade fails its inserts (its checkout's saga is carried on by a new instance).
ALTER TABLE orders ALTER COLUMN vat SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT orders_vat_is_array CHECK (jsonb_typeof(vat) = 'array');
