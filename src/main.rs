use clap::Parser;

fn main() {
    let cli = match shopdesk::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => usage_error(e),
    };
    shopdesk::config::init_logging();
    if let Err(e) = shopdesk::cli::run(cli) {
        tracing::error!("{e}");
        eprintln!("shopdesk: {}", shopdesk::cli::safe(&e.to_string()));
        std::process::exit(e.exit_code());
    }
}

/// clap echoes the bad argument, and on a colour terminal passes its
/// escapes through; when an argument holds control characters the message
/// is printed without colours and made safe.
fn usage_error(e: clap::Error) -> ! {
    let controls = std::env::args_os().any(|a| a.to_string_lossy().chars().any(char::is_control));
    if !controls {
        e.exit();
    }
    let safe = shopdesk::cli::safe(&e.render().to_string());
    if e.use_stderr() {
        eprint!("{safe}");
    } else {
        print!("{safe}");
    }
    std::process::exit(e.exit_code());
}
