//! Choose the few sources to watch so that you hear of a story first: CELF outbreak detection
//! (Leskovec, Krause, Guestrin, Faloutsos, VanBriesen and Glance, *Cost-effective Outbreak
//! Detection in Networks*, KDD 2007).
//!
//! A *cascade* is a story spreading: the sources that carried it, each with the time it first
//! did. Choosing a set `A` of sources earns `R(A) = Σ_c max_{s∈A} w(s, c)`, a penalty reduction:
//!
//! | objective | `w(s, c)` |
//! |---|---|
//! | [`Objective::Dl`] detection likelihood | 1 |
//! | [`Objective::Dt`] detection time | `(t_last - t_s) / (t_last - t_first)`, 1 when the span is 0 |
//! | [`Objective::Pa`] population affected | `n_c - rank_s` (rank 0 = first) |
//! | [`Objective::Penalty`] any [`Penalty`] | `π_c(∞) - π_c(detection by s)`, at least 0 |
//!
//! `R` is monotone submodular, so greedy is within `1 - 1/e` of optimal, and CELF's lazy greedy
//! gets the same answer with far fewer evaluations. Every [`Selection`] carries the online bound
//! (`OPT ≤ R(A) + Σ` of the k largest marginal gains, or the fractional-knapsack variant with
//! costs), so each answer says how close to optimal it is proven to be.
//!
//! # Use
//!
//! ```
//! use slingshot_listen::{load_reader, select, Format, NoProgress, Objective, SelectOptions};
//! let text = "a 1,b 2,c 3\nb 1,c 2\nd 5,\n";
//! let data = load_reader(text.as_bytes(), Format::Text, "example", &NoProgress)?;
//! let options = SelectOptions { k: 2, ..SelectOptions::default() };
//! let chosen = select(&data, &Objective::Dt, &options)?;
//! assert_eq!(chosen.steps[0].source, "b");
//! assert!(chosen.value <= chosen.bound);
//! # Ok::<(), slingshot_listen::ListenError>(())
//! ```
//!
//! Input formats are described at [`Format`]; costs files at [`read_costs`]. With the `cli`
//! feature, [`cli::run`] implements the `listen select|eval|gen` subcommands.
//!
//! # Memory
//!
//! [`Cascades`] keeps, per participation, a cascade id (`u32`), the DT weight (`f32`) and the PA
//! weight (`u32`) in source-major CSR arrays: 12 bytes, no allocation per participation, and all
//! three objectives ready without a rebuild. Per source: an offset and two totals (the initial
//! gains); per cascade: its size and time span. While a file loads, the finished cascade-major
//! cascades (8 bytes per participation) and, during the transposition, a 16-byte work array exist
//! besides; peak RSS at blog scale is about 250 MB for 7.6 million participations.
//!
//! # Beyond one machine
//!
//! The objective is a sum over cascades, so it splits over *cascade shards*: put each cascade
//! (all its participations) on one shard, and keep on each shard the source-major arrays of its
//! own cascades and the per-cascade values `cur[c]` of the current selection. A marginal gain is
//! then the sum of the shards' partial gains, `δ_s = Σ_shard δ_s^shard`, and picking a source
//! only updates `cur` on the shards holding its cascades. A coordinator keeps the lazy heap of
//! stale gains (upper bounds by submodularity): it pops the top, asks every shard for the partial
//! gains of that source — better, of the next few candidates in heap order in one round, since
//! shards answer a batch as cheaply as one — re-inserts them, and broadcasts each chosen source.
//! The online bound needs only the heap's top keys, so it costs the coordinator nothing extra;
//! the exact final bound is one parallel pass of all shards. The initial gains are per-shard
//! column sums, reduced once. Rounds are few (CELF re-evaluates a handful of sources per pick),
//! so any engine with a driver and a cheap broadcast/reduce runs it: Spark (cascade-partitioned
//! RDD cached in memory, driver-side heap, `treeAggregate` per round), Ray actors (one per shard),
//! or MPI (`MPI_Allreduce` of partial gains). Stochastic greedy shards the same way, and
//! distributed variants (GreeDi, Mirzasoleiman et al. 2013) select per shard of *sources* and
//! merge, at a constant-factor loss.

mod bound;
mod cascades;
mod celf;
#[cfg(feature = "cli")]
pub mod cli;
mod costs;
mod error;
mod eval;
mod generate;
mod greedy;
mod heap;
mod objective;
mod read;
mod read_csv;
mod read_jsonl;
mod read_text;
mod rng;
mod run;
mod select;
mod stochastic;
mod svg;
mod transpose;

pub use bound::{APRIORI_BUDGET, APRIORI_UNIT_COST};
pub use cascades::Cascades;
pub use costs::{parse_costs, read_costs};
pub use error::ListenError;
pub use eval::{evaluate, EvalStep, Evaluation};
pub use generate::{generate, generate_to_path, GenParams, GenStats};
pub use objective::{Detection, Objective, Penalty};
pub use read::{load_path, load_reader, Format, NoProgress, Progress};
pub use select::{select, Algorithm, SelectOptions, Selection, Step};
pub use svg::{curve_svg, curve_svg_points};
