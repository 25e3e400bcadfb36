-- A report and a function that reads it. pg-flux creates them after the
-- tables they use, and recreates the view when a column it reads changes.
CREATE VIEW customer_totals AS
SELECT c.id AS customer_id, c.email, count(o.id) AS orders, coalesce(sum(o.total), 0) AS spent
FROM customers c
LEFT JOIN orders o ON o.customer_id = c.id AND o.status <> 'cancelled'
GROUP BY c.id, c.email;

COMMENT ON VIEW customer_totals IS 'What each customer ordered, cancelled orders left out';

CREATE FUNCTION customer_spent(p_customer bigint) RETURNS numeric
LANGUAGE sql STABLE
RETURN (SELECT spent FROM customer_totals WHERE customer_id = p_customer);
