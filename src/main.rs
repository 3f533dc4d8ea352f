fn main() {
    println!("alertlint {}", env!("CARGO_PKG_VERSION"));
}
