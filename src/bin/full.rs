fn main() {
    bisect_lens::start();
}
