//! The trace log as a Merkle tree, as in Certificate Transparency (RFC 6962, RFC 9162 §2.1), so that anyone
//! holding a published checkpoint (tree size and root hash) can prove that no trace was altered, removed,
//! reordered or inserted since (SPEC TR-2, BY-2).
//!
//! Pure functions over leaf hashes. Leaves and nodes are domain-separated (`0x00` and `0x01` prefixes) so a
//! node can never pass for a leaf.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// The hash of one leaf: SHA-256(0x00 ‖ data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// The hash of an inner node: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly smaller than `n` (n ≥ 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// MTH(D[n]): the root hash of the leaves, SHA-256 of nothing for an empty tree.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// PATH(m, D[n]): the audit path proving leaf `index` is in the tree of `leaves`. `None` if out of range.
pub fn inclusion_proof(index: usize, leaves: &[Hash]) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    let mut proof = Vec::new();
    path(index, leaves, &mut proof);
    Some(proof)
}

fn path(m: usize, leaves: &[Hash], proof: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, &leaves[..k], proof);
        proof.push(root(&leaves[k..]));
    } else {
        path(m - k, &leaves[k..], proof);
        proof.push(root(&leaves[..k]));
    }
}

/// PROOF(m, D[n]): proves the tree of the first `old_size` leaves is a prefix of the tree of `leaves`.
pub fn consistency_proof(old_size: usize, leaves: &[Hash]) -> Option<Vec<Hash>> {
    if old_size > leaves.len() {
        return None;
    }
    let mut proof = Vec::new();
    if old_size > 0 && old_size < leaves.len() {
        subproof(old_size, leaves, true, &mut proof);
    }
    Some(proof)
}

fn subproof(m: usize, leaves: &[Hash], complete: bool, proof: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete {
            proof.push(root(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], complete, proof);
        proof.push(root(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, proof);
        proof.push(root(&leaves[..k]));
    }
}

/// RFC 9162 §2.1.3.2: does `proof` show that `leaf` is leaf `index` of the tree of `size` whose root is
/// `root`?
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut fn_, mut sn, mut r) = (index, size - 1, *leaf);
    for p in proof {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && r == *root
}

/// RFC 9162 §2.1.4.2: does `proof` show that the tree of `old_size` with root `old_root` is a prefix of the
/// tree of `new_size` with root `new_root`?
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    if old_size == 0 {
        // Every tree extends the empty one; there is nothing to prove.
        return proof.is_empty();
    }
    if proof.is_empty() {
        return false;
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && fr == *old_root && sr == *new_root
}

/// The right edge of a growing tree: the roots of its perfect subtrees, largest (leftmost) first, one per bit
/// set in its size. Enough to append leaves and give the root at any moment in O(log n), so a checkpoint
/// costs only the traces appended since the previous one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    /// A frontier as stored; `None` unless there is exactly one node per bit set in `size`.
    pub fn from_parts(size: u64, nodes: Vec<Hash>) -> Option<Frontier> {
        (nodes.len() == size.count_ones() as usize).then_some(Frontier { size, nodes })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn nodes(&self) -> &[Hash] {
        &self.nodes
    }

    pub fn push(&mut self, leaf: Hash) {
        // Like adding one to a binary counter: each carry merges two perfect subtrees of equal size.
        let mut hash = leaf;
        let mut size = self.size;
        while size & 1 == 1 {
            if let Some(left) = self.nodes.pop() {
                hash = node_hash(&left, &hash);
            }
            size >>= 1;
        }
        self.nodes.push(hash);
        self.size += 1;
    }

    /// MTH of the leaves pushed so far, equal to [`root`] of them.
    pub fn root(&self) -> Hash {
        let mut nodes = self.nodes.iter().rev();
        match nodes.next() {
            None => Sha256::digest([]).into(),
            Some(last) => nodes.fold(*last, |right, left| node_hash(left, &right)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("trace {i}").as_bytes()))
            .collect()
    }

    fn hex(h: &Hash) -> String {
        h.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn matches_rfc_6962_reference_hashes() {
        // Empty tree and the leaf/node domain separation, as published with Certificate Transparency.
        assert_eq!(
            hex(&root(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn by_2_every_leaf_of_every_small_tree_is_provably_included() {
        for n in 1..=33 {
            let l = leaves(n);
            let r = root(&l);
            for (i, leaf) in l.iter().enumerate() {
                let proof = inclusion_proof(i, &l).unwrap();
                assert!(
                    verify_inclusion(i as u64, n as u64, leaf, &proof, &r),
                    "n={n} i={i}"
                );
            }
        }
    }

    #[test]
    fn by_2_every_prefix_is_provably_consistent() {
        for n in 1..=33 {
            let l = leaves(n);
            for m in 0..=n {
                let proof = consistency_proof(m, &l).unwrap();
                assert!(
                    verify_consistency(m as u64, n as u64, &root(&l[..m]), &root(&l), &proof),
                    "{m}->{n}"
                );
            }
        }
    }

    #[test]
    fn tr_2_adversarial_inclusion_proofs_fail() {
        let l = leaves(13);
        let r = root(&l);
        let proof = inclusion_proof(5, &l).unwrap();
        // Wrong leaf, wrong index, wrong tree size, truncated, extended, flipped bit, wrong root.
        assert!(!verify_inclusion(5, 13, &l[6], &proof, &r));
        assert!(!verify_inclusion(4, 13, &l[5], &proof, &r));
        // A size whose path has another shape fails. (Sizes with the same shape, such as 12 or 14 here, give
        // the same root: the size is bound to the root by the signed checkpoint, not by the proof.)
        assert!(!verify_inclusion(5, 8, &l[5], &proof, &r));
        assert!(!verify_inclusion(5, 1000, &l[5], &proof, &r));
        assert!(!verify_inclusion(5, 13, &l[5], &proof[..proof.len() - 1], &r));
        let mut longer = proof.clone();
        longer.push(l[0]);
        assert!(!verify_inclusion(5, 13, &l[5], &longer, &r));
        for i in 0..proof.len() {
            let mut flipped = proof.clone();
            flipped[i][7] ^= 0x10;
            assert!(
                !verify_inclusion(5, 13, &l[5], &flipped, &r),
                "bit flipped in element {i}"
            );
        }
        let mut other = r;
        other[0] ^= 1;
        assert!(!verify_inclusion(5, 13, &l[5], &proof, &other));
        assert!(!verify_inclusion(13, 13, &l[5], &proof, &r), "index out of range");
    }

    #[test]
    fn tr_2_altered_removed_reordered_or_inserted_traces_break_consistency() {
        let l = leaves(20);
        let old_root = root(&l[..11]);
        let mut altered = l.clone();
        altered[3] = leaf_hash(b"trace 3, modifiee");
        let mut removed = l.clone();
        removed.remove(4);
        let mut reordered = l.clone();
        reordered.swap(2, 9);
        let mut inserted = l.clone();
        inserted.insert(6, leaf_hash(b"trace ajoutee"));
        for (name, tampered) in [
            ("altered", altered),
            ("removed", removed),
            ("reordered", reordered),
            ("inserted", inserted),
        ] {
            let proof = consistency_proof(11, &tampered).unwrap();
            let size = tampered.len() as u64;
            assert!(
                !verify_consistency(11, size, &old_root, &root(&tampered), &proof),
                "{name}"
            );
        }
        // Appending after the checkpoint is fine.
        let proof = consistency_proof(11, &l).unwrap();
        assert!(verify_consistency(11, 20, &old_root, &root(&l), &proof));
        // A tampered proof or swapped sizes fail.
        let mut flipped = proof.clone();
        flipped[0][0] ^= 1;
        assert!(!verify_consistency(11, 20, &old_root, &root(&l), &flipped));
        assert!(!verify_consistency(20, 11, &root(&l), &old_root, &proof));
        assert!(!verify_consistency(11, 20, &old_root, &root(&l), &proof[1..]));
        assert!(!verify_consistency(11, 20, &old_root, &root(&l), &[]));
    }

    #[test]
    fn by_2_frontier_root_equals_the_full_computation_at_every_size() {
        let l = leaves(70);
        let mut frontier = Frontier::default();
        assert_eq!(frontier.root(), root(&[]));
        for (i, leaf) in l.iter().enumerate() {
            frontier.push(*leaf);
            assert_eq!(frontier.size(), i as u64 + 1);
            assert_eq!(frontier.root(), root(&l[..=i]), "size {}", i + 1);
            let again = Frontier::from_parts(frontier.size(), frontier.nodes().to_vec()).unwrap();
            assert_eq!(again, frontier);
        }
        assert!(
            Frontier::from_parts(7, vec![l[0]; 2]).is_none(),
            "7 needs three nodes"
        );
        assert!(Frontier::from_parts(0, vec![l[0]]).is_none());
    }

    proptest! {
        #[test]
        fn inclusion_holds_for_any_tree(n in 1usize..200, seed in any::<usize>()) {
            let l = leaves(n);
            let i = seed % n;
            let proof = inclusion_proof(i, &l).unwrap();
            prop_assert!(verify_inclusion(i as u64, n as u64, &l[i], &proof, &root(&l)));
        }

        #[test]
        fn consistency_holds_for_any_prefix(n in 1usize..200, seed in any::<usize>()) {
            let l = leaves(n);
            let m = seed % (n + 1);
            let proof = consistency_proof(m, &l).unwrap();
            prop_assert!(verify_consistency(m as u64, n as u64, &root(&l[..m]), &root(&l), &proof));
        }

        #[test]
        fn verifiers_never_panic_on_garbage(
            index in any::<u64>(), size in any::<u64>(), old in any::<u64>(),
            proof in prop::collection::vec(any::<[u8; 32]>(), 0..70),
        ) {
            let _ = verify_inclusion(index, size, &[0; 32], &proof, &[1; 32]);
            let _ = verify_consistency(old, size, &[0; 32], &[1; 32], &proof);
        }
    }
}
