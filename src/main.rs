//! The `xprobe` binary: parse the command line, run, and exit with one of the
//! documented codes in [`xprobe::exit`].

use clap::Parser;

fn main() {
    let args = xprobe::cli::Cli::parse();
    let code = xprobe::cli::run(args);
    std::process::exit(code);
}
