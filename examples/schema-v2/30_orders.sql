-- Version 2: orders can be refunded, carry a shipping address, and are
-- looked up by a public reference.
CREATE TABLE orders (
    id           bigserial PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customers ON DELETE CASCADE,
    status       order_status NOT NULL DEFAULT 'pending',
    total        numeric(12,2) NOT NULL CHECK (total >= 0),
    placed_at    timestamptz NOT NULL DEFAULT now(),
    reference    uuid NOT NULL DEFAULT gen_random_uuid(),
    ship_to      text,
    CONSTRAINT orders_ship_to_check CHECK (status <> 'shipped' OR ship_to IS NOT NULL)
);

CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX orders_open_idx ON orders (placed_at) WHERE status IN ('pending', 'paid');
CREATE UNIQUE INDEX orders_reference_idx ON orders (reference);
