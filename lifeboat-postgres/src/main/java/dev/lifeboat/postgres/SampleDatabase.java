package dev.lifeboat.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A sample application schema for the quickstart, drills and tests: several schemas, quoted mixed-case
 * names, sequences, views, functions, a trigger, a large object, unicode text, an append-mostly invoices
 * table and a payments table of a chosen size.
 */
public final class SampleDatabase {
    private SampleDatabase() {
    }

    /** Creates the schema and data in the connected database. */
    public static void create(ConnectionSpec spec, int payments) {
        try (Connection c = spec.connect(); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE SCHEMA billing;
                    CREATE SCHEMA "Audit Log";
                    CREATE SEQUENCE billing.invoice_no START 1000;
                    CREATE TABLE public.users (
                      id serial PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL,
                      created timestamptz NOT NULL DEFAULT now());
                    CREATE TABLE billing.invoices (
                      id bigint PRIMARY KEY DEFAULT nextval('billing.invoice_no'),
                      user_id int NOT NULL REFERENCES public.users(id), amount numeric(12,2) NOT NULL,
                      issued date NOT NULL, note text);
                    CREATE TABLE billing.payments (
                      id bigserial PRIMARY KEY, invoice_id bigint, amount numeric(12,2) NOT NULL,
                      paid_at timestamptz NOT NULL, method text NOT NULL);
                    CREATE TABLE "Audit Log"."Events" (
                      "Id" bigserial PRIMARY KEY, "What" text NOT NULL, "At" timestamptz NOT NULL DEFAULT now());
                    CREATE TABLE public.documents (id serial PRIMARY KEY, title text NOT NULL, body oid);
                    CREATE VIEW billing.open_invoices AS
                      SELECT i.* FROM billing.invoices i
                       WHERE NOT EXISTS (SELECT 1 FROM billing.payments p WHERE p.invoice_id = i.id);
                    CREATE FUNCTION billing.total_paid(uid int) RETURNS numeric LANGUAGE sql STABLE AS $$
                      SELECT coalesce(sum(p.amount), 0) FROM billing.payments p
                        JOIN billing.invoices i ON i.id = p.invoice_id WHERE i.user_id = uid $$;
                    CREATE FUNCTION "Audit Log".log_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
                      BEGIN INSERT INTO "Audit Log"."Events"("What") VALUES ('invoice ' || NEW.id); RETURN NEW; END $$;
                    CREATE TRIGGER invoice_audit AFTER INSERT ON billing.invoices
                      FOR EACH ROW EXECUTE FUNCTION "Audit Log".log_invoice();
                    INSERT INTO public.users(email, name)
                      SELECT 'user' || g || '@example.com',
                             (ARRAY['Zoë Åkesson', '山田太郎', 'Łukasz Żółć', 'Renée O''Brien', 'Ωmega 🚀'])[1 + g % 5]
                        FROM generate_series(1, 1000) g;
                    INSERT INTO billing.invoices(user_id, amount, issued, note)
                      SELECT 1 + g % 1000, (g % 977) * 1.25, date '2026-01-01' + g % 300, 'façade №' || g
                        FROM generate_series(1, 20000) g;
                    INSERT INTO public.documents(title, body) VALUES ('contract', lo_from_bytea(0, 'large object ✓'::bytea));
                    """);
            s.execute("INSERT INTO billing.payments(invoice_id, amount, paid_at, method) "
                    + "SELECT 1000 + g % 20000, (g % 977) * 1.25, timestamptz '2026-01-01' + g * interval '1 second', "
                    + "(ARRAY['card', 'transfer', 'cash'])[1 + g % 3] FROM generate_series(1, " + payments + ") g");
            s.execute("ANALYZE");
        } catch (SQLException e) {
            throw spec.error(e);
        }
    }
}
