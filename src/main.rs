use clap::Parser;

fn main() {
    let cli = shopdesk::cli::Cli::parse();
    shopdesk::config::init_logging();
    if let Err(e) = shopdesk::cli::run(cli) {
        tracing::error!("{e}");
        eprintln!("shopdesk: {e}");
        std::process::exit(e.exit_code());
    }
}
