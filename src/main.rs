fn main() {
    yew::Renderer::<bisect_lens::App>::new().render();
}
