//! Parses each argument and prints the canonical text or the error: `cargo run -p influxql
//! --example parse -- 'SELECT * FROM cpu'`.
fn main() {
    for q in std::env::args().skip(1) {
        match influxql::parse_query(&q) {
            Ok(q) => println!("ok: {q}"),
            Err(e) => println!("error: {e}"),
        }
    }
}
