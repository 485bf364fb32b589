// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MerkleTrie} from "./MerkleTrie.sol";
import {RlpItem, RlpReader} from "./RlpReader.sol";
import {RlpWriter} from "./RlpWriter.sol";
import {TrieNode} from "./TrieNode.sol";

/// @title MerkleTrieUpdate
/// @notice Computes a Merkle-Patricia trie's new root after one key is set, from the proof of that
///         key against the old root (eth_getProof form, as MerkleTrie.get reads it: the RLP nodes on
///         the key's path, root first; nodes under 32 bytes inline in their parent, optionally
///         repeated as their own element). The proof may show the key present or absent.
///
///         - A non-empty value replaces the key's value or inserts the key: into an empty branch
///           slot, or by splitting the leaf or extension where the key leaves the trie into a branch
///           (under a new extension when the two share nibbles).
///         - An empty value deletes the key (Ethereum's "storage slot set to 0"); deleting an absent
///           key returns the old root. When the branch that held the key is left with one child, it
///           collapses into that child, and the result merges with an extension above it. That
///           needs the child node itself, which the key's proof does not contain: pass it as
///           `sibling` (the preimage of the branch's one other child reference). It is needed only
///           when the deletion leaves a branch with exactly one other occupant and that occupant is
///           a hashed child (32 bytes or more); otherwise it is ignored and may be empty. Without it
///           such a deletion reverts with SiblingRequired. One node is always enough: only the
///           branch that held the key can collapse, as every branch above it keeps its children.
///           A prover reads it from its node database, or from eth_getProof of any key under that
///           child (the node after the branch in that proof).
///
///         Values are raw trie values: a storage slot's value is rlp(minimal big-endian bytes), and
///         zero is the empty value. Each call sets one key; a run of writes needs each key's proof
///         against the root the previous write produced. Proof errors are MerkleTrie's.
library MerkleTrieUpdate {
    error SiblingRequired();
    error BadSibling();

    /// @notice Where the key's walk stops: the node to rewrite there.
    enum End {
        EmptyTrie,
        BranchValue,
        EmptySlot,
        Leaf,
        Extension
    }

    /// @notice The nodes on the key's path, root first, and how the walk ended.
    struct Walk {
        RlpItem[][] nodes;
        uint256[] consumed; // key nibbles before each node
        uint256 depth;
        End end;
        bytes path; // the last node's path in nibbles, for a Leaf or an Extension end
        uint256 matched; // how many of those nibbles the key shares
    }

    /// @notice update for Ethereum's secure tries, whose paths are keccak256(key).
    function updateSecure(bytes memory key, bytes memory value, bytes[] memory proof, bytes32 root)
        internal
        pure
        returns (bytes32)
    {
        return update(abi.encodePacked(keccak256(key)), value, proof, "", root);
    }

    /// @notice updateSecure, with the sibling witness that a collapsing deletion needs.
    function updateSecure(bytes memory key, bytes memory value, bytes[] memory proof, bytes memory sibling, bytes32 root)
        internal
        pure
        returns (bytes32)
    {
        return update(abi.encodePacked(keccak256(key)), value, proof, sibling, root);
    }

    /// @notice The root after setting `path` (the raw trie key) to `value`; an empty value deletes.
    ///         Reverts on a proof that is not valid for `root`, and with SiblingRequired on a
    ///         deletion that collapses a branch into a hashed child.
    function update(bytes memory path, bytes memory value, bytes[] memory proof, bytes32 root)
        internal
        pure
        returns (bytes32)
    {
        return update(path, value, proof, "", root);
    }

    /// @notice update, with the sibling witness that a collapsing deletion needs (see above).
    function update(bytes memory path, bytes memory value, bytes[] memory proof, bytes memory sibling, bytes32 root)
        internal
        pure
        returns (bytes32)
    {
        bytes memory key = TrieNode.toNibbles(path);
        Walk memory walk = _walk(key, proof, root);
        (bytes memory node, bool unchanged) = _rewriteEnd(walk, key, value, sibling);
        if (unchanged) return root;
        // Rewrite each parent around its new child, from the walk's end up to the root.
        for (uint256 parent = walk.depth; parent > 1; parent--) {
            node = _replaceChild(walk.nodes[parent - 2], walk.consumed[parent - 2], key, node, sibling);
        }
        return node.length == 0 ? MerkleTrie.EMPTY_ROOT : keccak256(node);
    }

    /// @notice Checks the proof node by node along the key, as MerkleTrie.get does, keeping the nodes.
    function _walk(bytes memory key, bytes[] memory proof, bytes32 root) private pure returns (Walk memory walk) {
        // Each node but the last consumes at least one nibble.
        walk.nodes = new RlpItem[][](key.length + 1);
        walk.consumed = new uint256[](key.length + 1);
        if (proof.length == 0) {
            if (root != MerkleTrie.EMPTY_ROOT) revert MerkleTrie.ProofTooShort();
            return walk;
        }
        if (keccak256(proof[0]) != root) revert MerkleTrie.BadNodeHash(0);
        RlpItem node = RlpReader.toItem(proof[0]);
        if (!node.isList()) {
            // Only the empty trie's root is a string node (rlp("")).
            if (proof.length != 1 || node.length() != 1 || root != MerkleTrie.EMPTY_ROOT) revert MerkleTrie.BadNode();
            return walk;
        }
        uint256 used = 1;
        uint256 consumed;
        while (true) {
            RlpItem[] memory items = TrieNode.read(node);
            walk.nodes[walk.depth] = items;
            walk.consumed[walk.depth] = consumed;
            walk.depth++;
            RlpItem child;
            if (items.length == 17) {
                if (consumed == key.length) {
                    walk.end = End.BranchValue;
                    break;
                }
                child = items[uint8(key[consumed])];
                consumed += 1;
                if (TrieNode.isEmpty(child)) {
                    walk.end = End.EmptySlot;
                    break;
                }
            } else {
                bool isLeaf;
                (isLeaf, walk.path) = TrieNode.decodePath(items[0]);
                walk.matched = TrieNode.sharedNibbles(walk.path, key, consumed);
                if (isLeaf) {
                    walk.end = End.Leaf;
                    break;
                }
                if (walk.path.length == 0) revert MerkleTrie.BadNode();
                if (walk.matched < walk.path.length) {
                    walk.end = End.Extension;
                    break;
                }
                consumed += walk.path.length;
                child = items[1];
            }
            (node, used) = _descend(child, proof, used);
        }
        if (used != proof.length) revert MerkleTrie.ProofTooLong();
    }

    /// @notice The child node a reference points to: inline, or the next proof element.
    function _descend(RlpItem child, bytes[] memory proof, uint256 used) private pure returns (RlpItem, uint256) {
        if (TrieNode.isList(child)) {
            // An inline node: it must be short, and an ethereumjs-style copy of it is skipped.
            if (child.length() >= 32) revert MerkleTrie.BadNode();
            if (used < proof.length && keccak256(proof[used]) == child.hash()) used += 1;
            return (child, used);
        }
        if (used == proof.length) revert MerkleTrie.ProofTooShort();
        if (keccak256(proof[used]) != TrieNode.hashReference(child)) revert MerkleTrie.BadNodeHash(used);
        return (RlpReader.toItem(proof[used]), used + 1);
    }

    /// @notice The new encoding of the walk's last node (empty: the node is gone), or `unchanged`
    ///         when the update is a deletion of an absent key.
    function _rewriteEnd(Walk memory walk, bytes memory key, bytes memory value, bytes memory sibling)
        private
        pure
        returns (bytes memory node, bool unchanged)
    {
        bool deleting = value.length == 0;
        RlpItem valueItem = RlpReader.toItem(RlpWriter.encodeString(value));
        if (walk.depth == 0) {
            if (deleting) return ("", true);
            return (TrieNode.shortNode(key, 0, key.length, true, valueItem), false);
        }
        RlpItem[] memory items = walk.nodes[walk.depth - 1];
        uint256 consumed = walk.consumed[walk.depth - 1];
        if (walk.end == End.BranchValue) {
            if (deleting && TrieNode.isEmpty(items[16])) return ("", true);
            return (_setSlot(items, 16, valueItem, sibling), false);
        }
        if (walk.end == End.EmptySlot) {
            if (deleting) return ("", true);
            RlpItem leaf = TrieNode.link(TrieNode.shortNode(key, consumed + 1, key.length, true, valueItem));
            return (_setSlot(items, uint8(key[consumed]), leaf, sibling), false);
        }
        bool found = walk.end == End.Leaf && walk.matched == walk.path.length && consumed + walk.matched == key.length;
        if (found) {
            if (deleting) return ("", false);
            return (RlpWriter.encodePair(items[0], valueItem), false);
        }
        if (deleting) return ("", true);
        return (_split(walk, items[1], key, consumed, valueItem), false);
    }

    /// @notice Where the key leaves a leaf or an extension: a branch holding both, under an
    ///         extension of their shared nibbles if they share any.
    function _split(Walk memory walk, RlpItem second, bytes memory key, uint256 consumed, RlpItem valueItem)
        private
        pure
        returns (bytes memory)
    {
        bool isLeaf = walk.end == End.Leaf;
        bytes memory path = walk.path;
        uint256 shared = walk.matched;
        RlpItem[] memory slots = TrieNode.emptyBranch();
        if (shared == path.length) {
            slots[16] = second; // a leaf whose path ends where the key goes on
        } else if (!isLeaf && shared + 1 == path.length) {
            slots[uint8(path[shared])] = second; // an extension's child moves into the branch
        } else {
            slots[uint8(path[shared])] = TrieNode.link(TrieNode.shortNode(path, shared + 1, path.length, isLeaf, second));
        }
        uint256 keyAt = consumed + shared;
        if (keyAt == key.length) {
            slots[16] = valueItem;
        } else {
            slots[uint8(key[keyAt])] = TrieNode.link(TrieNode.shortNode(key, keyAt + 1, key.length, true, valueItem));
        }
        bytes memory branch = RlpWriter.encodeList(slots);
        if (shared == 0) return branch;
        return TrieNode.shortNode(path, 0, shared, false, TrieNode.link(branch));
    }

    /// @notice A parent node on the path, rewritten around its child's new encoding.
    function _replaceChild(RlpItem[] memory items, uint256 consumed, bytes memory key, bytes memory child, bytes memory sibling)
        private
        pure
        returns (bytes memory)
    {
        if (items.length == 17) {
            RlpItem link = child.length == 0 ? TrieNode.emptyItem() : TrieNode.link(child);
            return _setSlot(items, uint8(key[consumed]), link, sibling);
        }
        if (child.length == 0) return "";
        RlpItem[] memory childItems = TrieNode.read(RlpReader.toItem(child));
        if (childItems.length == 17) return RlpWriter.encodePair(items[0], TrieNode.link(child));
        // A branch below collapsed into a leaf or an extension: one node with both paths.
        (, bytes memory path) = TrieNode.decodePath(items[0]);
        (bool isLeaf, bytes memory childPath) = TrieNode.decodePath(childItems[0]);
        bytes memory joined = bytes.concat(path, childPath);
        return TrieNode.shortNode(joined, 0, joined.length, isLeaf, childItems[1]);
    }

    /// @notice A branch with one slot (0-15 a child, 16 the value) replaced. A branch left with a
    ///         single occupant collapses into it: its value becomes a leaf, its child absorbs the
    ///         child's nibble.
    function _setSlot(RlpItem[] memory items, uint256 slot, RlpItem item, bytes memory sibling)
        private
        pure
        returns (bytes memory)
    {
        RlpItem[] memory slots = new RlpItem[](17);
        assembly ("memory-safe") {
            mcopy(add(slots, 32), add(items, 32), mul(17, 32))
        }
        slots[slot] = item;
        if (!TrieNode.isEmpty(item)) return RlpWriter.encodeList(slots);
        uint256 occupants;
        uint256 last;
        for (uint256 i = 0; i < 17; i++) {
            if (!TrieNode.isEmpty(slots[i])) (occupants, last) = (occupants + 1, i);
        }
        if (occupants > 1) return RlpWriter.encodeList(slots);
        if (occupants == 0) return "";
        if (last == 16) return TrieNode.shortNode("", 0, 0, true, slots[16]);
        return _absorbNibble(last, slots[last], sibling);
    }

    /// @notice The only child of a collapsing branch, reached through nibble `nibble`: a branch
    ///         child gets a one-nibble extension, a leaf or an extension gets the nibble in front.
    function _absorbNibble(uint256 nibble, RlpItem link, bytes memory sibling) private pure returns (bytes memory) {
        RlpItem[] memory childItems;
        if (TrieNode.isList(link)) {
            childItems = TrieNode.read(link);
        } else {
            if (sibling.length == 0) revert SiblingRequired();
            if (keccak256(sibling) != TrieNode.hashReference(link)) revert BadSibling();
            childItems = TrieNode.read(RlpReader.toItem(sibling));
        }
        bytes memory prefix = new bytes(1);
        prefix[0] = bytes1(uint8(nibble));
        if (childItems.length == 17) return TrieNode.shortNode(prefix, 0, 1, false, link);
        (bool isLeaf, bytes memory childPath) = TrieNode.decodePath(childItems[0]);
        bytes memory joined = bytes.concat(prefix, childPath);
        return TrieNode.shortNode(joined, 0, joined.length, isLeaf, childItems[1]);
    }
}
