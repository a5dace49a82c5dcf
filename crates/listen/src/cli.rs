//! The `listen` subcommands: `select`, `eval` and `gen` (feature `cli`).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::{
    curve_svg, evaluate, generate_to_path, load_path, read_costs, select, Algorithm, Cascades,
    Format, GenParams, ListenError, Objective, Progress, SelectOptions, Selection,
};

/// Arguments of `slingshot listen`.
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ListenCommand,
}

/// The `listen` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ListenCommand {
    /// Choose the sources to watch (CELF with an online bound on the optimum).
    Select(SelectArgs),
    /// Score a given set of sources.
    Eval(EvalArgs),
    /// Generate synthetic cascades in the text format.
    Gen(GenArgs),
}

/// Arguments of `listen select`.
#[derive(Debug, clap::Args)]
pub struct SelectArgs {
    /// Cascade file.
    #[arg(long)]
    pub cascades: PathBuf,
    /// text, csv, tsv or jsonl (default: from the extension, else text).
    #[arg(long)]
    pub format: Option<String>,
    /// dl (detection likelihood), dt (detection time) or pa (population affected).
    #[arg(long, default_value = "dt")]
    pub objective: String,
    /// Number of sources to choose (unit cost).
    #[arg(long, default_value_t = 100)]
    pub k: usize,
    /// Costs file: `source,cost` lines, one per source (needs --budget).
    #[arg(long, requires = "budget")]
    pub costs: Option<PathBuf>,
    /// Budget: the chosen sources' costs add up to at most this.
    #[arg(long)]
    pub budget: Option<f64>,
    /// celf, greedy (naive) or stochastic.
    #[arg(long, default_value = "celf")]
    pub algorithm: String,
    /// Seed for stochastic greedy.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// ε for stochastic greedy.
    #[arg(long, default_value_t = 0.01)]
    pub epsilon: f64,
    /// Print the result as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Write an SVG chart of value and bound against k to this file.
    #[arg(long)]
    pub svg: Option<PathBuf>,
}

/// Arguments of `listen eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Cascade file.
    #[arg(long)]
    pub cascades: PathBuf,
    /// text, csv, tsv or jsonl (default: from the extension, else text).
    #[arg(long)]
    pub format: Option<String>,
    /// dl, dt or pa (default: all three).
    #[arg(long)]
    pub objective: Option<String>,
    /// Comma-separated source ids.
    #[arg(
        long,
        conflicts_with = "sources_file",
        required_unless_present = "sources_file"
    )]
    pub sources: Option<String>,
    /// File of source ids, one per line (or comma-separated).
    #[arg(long)]
    pub sources_file: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `listen gen`.
#[derive(Debug, clap::Args)]
pub struct GenArgs {
    /// Number of sources.
    #[arg(long, default_value_t = 45_000)]
    pub sources: u32,
    /// Number of cascades.
    #[arg(long, default_value_t = 350_000)]
    pub cascades: u64,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Mean sources per cascade.
    #[arg(long, default_value_t = 22.0)]
    pub mean_size: f64,
    /// Output file (text format).
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs a `listen` subcommand, printing to stdout (results) and stderr (progress, summaries).
pub fn run(args: ListenArgs) -> Result<(), ListenError> {
    match args.command {
        ListenCommand::Select(a) => run_select(a),
        ListenCommand::Eval(a) => run_eval(a),
        ListenCommand::Gen(a) => run_gen(a),
    }
}

/// An indicatif bar, hidden when stderr is not a terminal.
struct Bar(ProgressBar);

impl Bar {
    fn new(template: &str) -> Self {
        let bar = if std::io::stderr().is_terminal() {
            ProgressBar::new(0)
        } else {
            ProgressBar::hidden()
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        Bar(bar)
    }
}

impl Progress for Bar {
    fn start(&self, total: Option<u64>) {
        if let Some(t) = total {
            self.0.set_length(t);
        }
    }
    fn advance(&self, amount: u64) {
        self.0.inc(amount);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn load(path: &Path, format: Option<&str>) -> Result<Cascades, ListenError> {
    let format = match format {
        Some(f) => f.parse()?,
        None => Format::from_path(path),
    };
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let bar = Bar::new("loading {bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}");
    let started = Instant::now();
    let data = load_path(path, format, &bar)?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "loaded {}: {} sources, {} cascades, {} participations in {:.3} s ({:.0} MB/s)",
        path.display(),
        data.n_sources(),
        data.n_cascades(),
        data.n_participations(),
        secs,
        bytes as f64 / 1e6 / secs.max(1e-9)
    );
    Ok(data)
}

fn stdout_err(e: std::io::Error) -> ListenError {
    ListenError::io("<stdout>", e)
}

fn run_select(a: SelectArgs) -> Result<(), ListenError> {
    let objective: Objective = a.objective.parse()?;
    let algorithm: Algorithm = a.algorithm.parse()?;
    let data = load(&a.cascades, a.format.as_deref())?;
    let costs = match &a.costs {
        Some(p) => Some(read_costs(p, &data)?),
        None => None,
    };
    let options = SelectOptions {
        k: a.k,
        costs,
        budget: a.budget,
        algorithm,
        seed: a.seed,
        epsilon: a.epsilon,
        exact_bound: true,
    };
    let sel = select(&data, &objective, &options)?;
    if let Some(path) = &a.svg {
        std::fs::write(path, curve_svg(&sel))
            .map_err(|e| ListenError::io(&path.display().to_string(), e))?;
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        let text = serde_json::to_string_pretty(&sel)
            .map_err(|e| ListenError::InvalidArgument(e.to_string()))?;
        writeln!(out, "{text}").map_err(stdout_err)?;
    } else {
        print_table(&mut out, &sel).map_err(stdout_err)?;
    }
    for note in &sel.notes {
        eprintln!("note: {note}");
    }
    Ok(())
}

fn print_table(out: &mut impl Write, sel: &Selection) -> std::io::Result<()> {
    let width = sel
        .steps
        .iter()
        .map(|s| s.source.len())
        .max()
        .unwrap_or(6)
        .clamp(6, 40);
    let costs = sel.budget.is_some();
    write!(out, "{:>5}  {:<width$}", "rank", "source")?;
    if costs {
        write!(out, "  {:>10}", "cost")?;
    }
    writeln!(out, "  {:>14}  {:>14}  {:>14}", "gain", "value", "bound")?;
    for s in &sel.steps {
        write!(out, "{:>5}  {:<width$}", s.rank, s.source)?;
        if costs {
            write!(out, "  {:>10.3}", s.cost)?;
        }
        writeln!(
            out,
            "  {:>14.3}  {:>14.3}  {:>14.3}",
            s.gain, s.value, s.bound
        )?;
    }
    writeln!(
        out,
        "{} = {:.3} with {} sources{}; optimum at most {:.3}: proven within {:.1}% of optimal (a-priori {:.1}%).",
        sel.objective,
        sel.value,
        sel.steps.len(),
        if costs { format!(" costing {:.3}", sel.cost) } else { String::new() },
        sel.bound,
        sel.proven_ratio * 100.0,
        sel.apriori_ratio * 100.0
    )?;
    writeln!(
        out,
        "{}: {} gain evaluations in {:.4} s.",
        sel.algorithm, sel.evaluations, sel.seconds
    )
}

fn run_eval(a: EvalArgs) -> Result<(), ListenError> {
    let objectives: Vec<Objective> = match &a.objective {
        Some(o) => vec![o.parse()?],
        None => vec![Objective::Dl, Objective::Dt, Objective::Pa],
    };
    let list = match (&a.sources, &a.sources_file) {
        (Some(s), _) => s.clone(),
        (None, Some(p)) => {
            std::fs::read_to_string(p).map_err(|e| ListenError::io(&p.display().to_string(), e))?
        }
        (None, None) => String::new(),
    };
    let sources: Vec<String> = list
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if sources.is_empty() {
        return Err(ListenError::InvalidArgument("no sources given".into()));
    }
    let data = load(&a.cascades, a.format.as_deref())?;
    let evals = objectives
        .iter()
        .map(|o| evaluate(&data, o, &sources))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = std::io::stdout().lock();
    if a.json {
        let text = serde_json::to_string_pretty(&evals)
            .map_err(|e| ListenError::InvalidArgument(e.to_string()))?;
        writeln!(out, "{text}").map_err(stdout_err)?;
        return Ok(());
    }
    for e in &evals {
        writeln!(
            out,
            "{} = {:.3} ({} of {} cascades detected by {} sources)",
            e.objective,
            e.value,
            e.detected,
            e.cascades,
            e.steps.len()
        )
        .map_err(stdout_err)?;
    }
    Ok(())
}

fn run_gen(a: GenArgs) -> Result<(), ListenError> {
    let params = GenParams {
        sources: a.sources,
        cascades: a.cascades,
        seed: a.seed,
        mean_size: a.mean_size,
        ..GenParams::default()
    };
    let bar = Bar::new("generating {bar:40} {pos}/{len} cascades eta {eta}");
    let st = generate_to_path(&params, &a.out, &bar)?;
    eprintln!(
        "wrote {}: {} cascades, {} participations, {} bytes in {:.2} s",
        a.out.display(),
        st.cascades,
        st.participations,
        st.bytes,
        st.seconds
    );
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Top {
        #[command(flatten)]
        listen: ListenArgs,
    }

    fn run_args(args: &[&str]) -> Result<(), ListenError> {
        let top = Top::try_parse_from(std::iter::once("listen").chain(args.iter().copied()))
            .map_err(|e| ListenError::InvalidArgument(e.to_string()))?;
        run(top.listen)
    }

    #[test]
    fn gen_select_eval_round_trip() {
        let dir = std::env::temp_dir().join(format!("listen-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.txt");
        let svg = dir.join("c.svg");
        let f = file.to_str().unwrap();
        run_args(&[
            "gen",
            "--sources",
            "300",
            "--cascades",
            "2000",
            "--seed",
            "4",
            "--out",
            f,
        ])
        .unwrap();
        run_args(&[
            "select",
            "--cascades",
            f,
            "--objective",
            "pa",
            "--k",
            "5",
            "--svg",
            svg.to_str().unwrap(),
        ])
        .unwrap();
        assert!(std::fs::read_to_string(&svg).unwrap().contains("<polyline"));
        run_args(&[
            "select",
            "--cascades",
            f,
            "--k",
            "3",
            "--json",
            "--algorithm",
            "stochastic",
        ])
        .unwrap();
        let data = load_path(&file, Format::Text, &crate::NoProgress).unwrap();
        let names = data.source_names();
        let list = format!("{},{}", names[0], names[1]);
        run_args(&["eval", "--cascades", f, "--sources", &list]).unwrap();
        assert!(matches!(
            run_args(&["eval", "--cascades", f, "--sources", "no-such-source"]),
            Err(ListenError::UnknownSource(_))
        ));
        assert!(run_args(&["select", "--cascades", f, "--objective", "xx"]).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
