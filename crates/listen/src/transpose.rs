//! From finished cascade-major cascades to the source-major arrays of [`Cascades`].

use rayon::prelude::*;

use crate::cascades::{Cascades, Finished};
use crate::error::ListenError;

/// Renumbers sources by first appearance and builds the source-major arrays.
pub(crate) fn transpose(
    names: Vec<String>,
    parts: &mut [Finished],
    block: u64,
) -> Result<Cascades, ListenError> {
    let n_old = names.len();
    let mut remap = vec![u32::MAX; n_old];
    let mut counts: Vec<u64> = Vec::with_capacity(n_old);
    let mut order: Vec<u32> = Vec::with_capacity(n_old);
    for part in parts.iter_mut() {
        for s in part.src.iter_mut() {
            let old = *s as usize;
            let new = match remap.get(old) {
                Some(&id) if id != u32::MAX => id,
                Some(_) => {
                    let id = order.len() as u32;
                    remap[old] = id;
                    order.push(old as u32);
                    counts.push(0);
                    id
                }
                None => return Err(ListenError::TooLarge("source id out of range".into())),
            };
            counts[new as usize] += 1;
            *s = new;
        }
    }
    let mut slots: Vec<Option<String>> = names.into_iter().map(Some).collect();
    let names: Vec<String> = order
        .iter()
        .map(|&old| slots[old as usize].take().unwrap_or_default())
        .collect();
    let n_sources = names.len();
    let mut offsets = Vec::with_capacity(n_sources + 1);
    let mut acc = 0u64;
    offsets.push(0);
    for &c in &counts {
        acc += c;
        offsets.push(acc);
    }
    let total = acc as usize;
    let mut sizes = Vec::new();
    let mut spans = Vec::new();
    let mut bases = Vec::with_capacity(parts.len());
    for part in parts.iter_mut() {
        bases.push((sizes.len() as u32, part.sizes.len()));
        sizes.append(&mut part.sizes);
        spans.append(&mut part.spans);
    }
    // Two-pass scatter, so that writes stay within cache- and TLB-sized windows however many
    // sources there are. Pass 1 moves each participation, in cascade order, into the region of its
    // *block* of sources (blocks of about 2^20 participations); pass 2 orders each block's region
    // by source into the final arrays.
    let blocks = source_blocks(&offsets, block);
    let n_blocks = blocks.len() - 1;
    let mut block_of = vec![0u32; n_sources];
    for b in 0..n_blocks {
        block_of[blocks[b]..blocks[b + 1]].fill(b as u32);
    }
    let mut packed: Vec<[u32; 4]> = vec![[0; 4]; total];
    {
        // One job per thread: a run of blocks with about equal participations.
        let threads = rayon::current_num_threads().max(1);
        let mut cuts = vec![0usize];
        for t in 1..threads {
            let target = (total as u64) * t as u64 / threads as u64;
            let b = blocks
                .partition_point(|&s| offsets[s] < target)
                .min(n_blocks);
            if b > *cuts.last().unwrap_or(&0) {
                cuts.push(b);
            }
        }
        cuts.push(n_blocks);
        let mut jobs = Vec::new();
        let mut rest = &mut packed[..];
        for w in cuts.windows(2) {
            let (b_lo, b_hi) = (w[0], w[1]);
            let len = (offsets[blocks[b_hi]] - offsets[blocks[b_lo]]) as usize;
            let (mine, r) = std::mem::take(&mut rest).split_at_mut(len);
            rest = r;
            jobs.push((b_lo, b_hi, mine));
        }
        let parts_ref: &[Finished] = parts;
        let (offsets_ref, sizes_ref, blocks_ref, block_of_ref) =
            (&offsets, &sizes, &blocks, &block_of);
        jobs.into_par_iter().for_each(|(b_lo, b_hi, out)| {
            let base = offsets_ref[blocks_ref[b_lo]];
            let mut cursor: Vec<u64> = (b_lo..b_hi)
                .map(|b| offsets_ref[blocks_ref[b]] - base)
                .collect();
            let (lo32, hi32) = (blocks_ref[b_lo] as u32, blocks_ref[b_hi] as u32);
            for (part, &(first, count)) in parts_ref.iter().zip(bases.iter()) {
                let mut i = 0usize;
                for (j, &size) in sizes_ref[first as usize..first as usize + count]
                    .iter()
                    .enumerate()
                {
                    let cid = first + j as u32;
                    let n = size as usize;
                    for (rank, (&s, &dt)) in part.src[i..i + n]
                        .iter()
                        .zip(&part.dt[i..i + n])
                        .enumerate()
                    {
                        if s >= lo32 && s < hi32 {
                            let k = block_of_ref[s as usize] as usize - b_lo;
                            let at = cursor[k] as usize;
                            cursor[k] += 1;
                            out[at] = [s, cid, dt.to_bits(), size - rank as u32];
                        }
                    }
                    i += n;
                }
            }
        });
    }
    for part in parts.iter_mut() {
        *part = Finished::default();
    }
    drop(block_of);
    let mut cascade = vec![0u32; total];
    let mut dt = vec![0f32; total];
    let mut pa = vec![0u32; total];
    {
        let mut jobs = Vec::with_capacity(n_blocks);
        let (mut rc, mut rd, mut rp) = (&mut cascade[..], &mut dt[..], &mut pa[..]);
        for b in 0..n_blocks {
            let len = (offsets[blocks[b + 1]] - offsets[blocks[b]]) as usize;
            let (c, x) = std::mem::take(&mut rc).split_at_mut(len);
            let (d, y) = std::mem::take(&mut rd).split_at_mut(len);
            let (p, z) = std::mem::take(&mut rp).split_at_mut(len);
            (rc, rd, rp) = (x, y, z);
            jobs.push((b, c, d, p));
        }
        let (packed_ref, offsets_ref, blocks_ref) = (&packed, &offsets, &blocks);
        jobs.into_par_iter().for_each(|(b, c, d, p)| {
            let (s_lo, s_hi) = (blocks_ref[b], blocks_ref[b + 1]);
            let base = offsets_ref[s_lo];
            let mut cursor: Vec<u64> = offsets_ref[s_lo..s_hi].iter().map(|&o| o - base).collect();
            let region = &packed_ref[base as usize..offsets_ref[s_hi] as usize];
            for e in region {
                let k = e[0] as usize - s_lo;
                let at = cursor[k] as usize;
                cursor[k] += 1;
                c[at] = e[1];
                d[at] = f32::from_bits(e[2]);
                p[at] = e[3];
            }
        });
    }
    drop(packed);
    let (dt_total, pa_total): (Vec<f64>, Vec<f64>) = (0..n_sources)
        .into_par_iter()
        .map(|s| {
            let (a, b) = (offsets[s] as usize, offsets[s + 1] as usize);
            let d = crate::objective::weight_total(&cascade[a..b], &dt[a..b]);
            let p = crate::objective::weight_total(&cascade[a..b], &pa[a..b]);
            (d, p)
        })
        .unzip();
    Ok(Cascades {
        names,
        offsets,
        cascade,
        dt,
        pa,
        sizes,
        spans,
        dt_total,
        pa_total,
    })
}

/// Cuts the sources into ranges of about `target` participations (at least one source each).
pub(crate) fn source_blocks(offsets: &[u64], target: u64) -> Vec<usize> {
    let n = offsets.len() - 1;
    let mut blocks = vec![0usize];
    while let Some(&last) = blocks.last() {
        if last >= n {
            break;
        }
        let want = offsets[last] + target;
        let next = offsets.partition_point(|&o| o < want).clamp(last + 1, n);
        blocks.push(next);
    }
    blocks
}
