// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MerkleTrie} from "./MerkleTrie.sol";
import {RlpItem, RlpReader} from "./RlpReader.sol";
import {RlpWriter} from "./RlpWriter.sol";

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
///           such a deletion reverts with SiblingRequired.
///
///         Values are raw trie values: a storage slot's value is rlp(minimal big-endian bytes), and
///         zero is the empty value. Proof errors are MerkleTrie's.
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
        bytes memory key = _toNibbles(path);
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
            RlpItem[] memory items = node.readList();
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
                if (_isEmpty(child)) {
                    walk.end = End.EmptySlot;
                    break;
                }
            } else if (items.length == 2) {
                bool isLeaf;
                (isLeaf, walk.path) = _decodePath(items[0]);
                walk.matched = _sharedNibbles(walk.path, key, consumed);
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
            } else {
                revert MerkleTrie.BadNode();
            }
            (node, used) = _descend(child, proof, used);
        }
        if (used != proof.length) revert MerkleTrie.ProofTooLong();
    }

    /// @notice The child node a reference points to: inline, or the next proof element.
    function _descend(RlpItem child, bytes[] memory proof, uint256 used) private pure returns (RlpItem, uint256) {
        if (child.isList()) {
            // An inline node: it must be short, and an ethereumjs-style copy of it is skipped.
            if (child.length() >= 32) revert MerkleTrie.BadNode();
            if (used < proof.length && keccak256(proof[used]) == child.hash()) used += 1;
            return (child, used);
        }
        (, uint256 referenceLength) = child.payload();
        if (referenceLength != 32) revert MerkleTrie.BadNode();
        if (used == proof.length) revert MerkleTrie.ProofTooShort();
        if (keccak256(proof[used]) != child.readBytes32()) revert MerkleTrie.BadNodeHash(used);
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
            return (_shortNode(key, 0, key.length, true, valueItem), false);
        }
        RlpItem[] memory items = walk.nodes[walk.depth - 1];
        uint256 consumed = walk.consumed[walk.depth - 1];
        if (walk.end == End.BranchValue) {
            if (deleting && _isEmpty(items[16])) return ("", true);
            return (_setSlot(items, 16, valueItem, sibling), false);
        }
        if (walk.end == End.EmptySlot) {
            if (deleting) return ("", true);
            RlpItem leaf = _reference(_shortNode(key, consumed + 1, key.length, true, valueItem));
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
        RlpItem[] memory slots = _emptyBranch();
        if (shared == path.length) {
            slots[16] = second; // a leaf whose path ends where the key goes on
        } else if (!isLeaf && shared + 1 == path.length) {
            slots[uint8(path[shared])] = second; // an extension's child moves into the branch
        } else {
            slots[uint8(path[shared])] = _reference(_shortNode(path, shared + 1, path.length, isLeaf, second));
        }
        uint256 keyAt = consumed + shared;
        if (keyAt == key.length) {
            slots[16] = valueItem;
        } else {
            slots[uint8(key[keyAt])] = _reference(_shortNode(key, keyAt + 1, key.length, true, valueItem));
        }
        bytes memory branch = RlpWriter.encodeList(slots);
        if (shared == 0) return branch;
        return _shortNode(path, 0, shared, false, _reference(branch));
    }

    /// @notice A parent node on the path, rewritten around its child's new encoding.
    function _replaceChild(RlpItem[] memory items, uint256 consumed, bytes memory key, bytes memory child, bytes memory sibling)
        private
        pure
        returns (bytes memory)
    {
        if (items.length == 17) {
            RlpItem link = child.length == 0 ? _emptyItem() : _reference(child);
            return _setSlot(items, uint8(key[consumed]), link, sibling);
        }
        if (child.length == 0) return "";
        RlpItem[] memory childItems = RlpReader.toItem(child).readList();
        if (childItems.length == 17) return RlpWriter.encodePair(items[0], _reference(child));
        // A branch below collapsed into a leaf or an extension: one node with both paths.
        (, bytes memory path) = _decodePath(items[0]);
        (bool isLeaf, bytes memory childPath) = _decodePath(childItems[0]);
        bytes memory joined = bytes.concat(path, childPath);
        return _shortNode(joined, 0, joined.length, isLeaf, childItems[1]);
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
        if (!_isEmpty(item)) return RlpWriter.encodeList(slots);
        uint256 occupants;
        uint256 last;
        for (uint256 i = 0; i < 17; i++) {
            if (!_isEmpty(slots[i])) (occupants, last) = (occupants + 1, i);
        }
        if (occupants > 1) return RlpWriter.encodeList(slots);
        if (occupants == 0) return "";
        if (last == 16) return _shortNode("", 0, 0, true, slots[16]);
        return _absorbNibble(last, slots[last], sibling);
    }

    /// @notice The only child of a collapsing branch, reached through nibble `nibble`: a branch
    ///         child gets a one-nibble extension, a leaf or an extension gets the nibble in front.
    function _absorbNibble(uint256 nibble, RlpItem link, bytes memory sibling) private pure returns (bytes memory) {
        RlpItem[] memory childItems;
        if (link.isList()) {
            childItems = link.readList();
        } else {
            if (sibling.length == 0) revert SiblingRequired();
            if (keccak256(sibling) != link.readBytes32()) revert BadSibling();
            childItems = RlpReader.toItem(sibling).readList();
        }
        bytes memory prefix = new bytes(1);
        prefix[0] = bytes1(uint8(nibble));
        if (childItems.length == 17) return _shortNode(prefix, 0, 1, false, link);
        if (childItems.length != 2) revert MerkleTrie.BadNode();
        (bool isLeaf, bytes memory childPath) = _decodePath(childItems[0]);
        bytes memory joined = bytes.concat(prefix, childPath);
        return _shortNode(joined, 0, joined.length, isLeaf, childItems[1]);
    }

    /// @notice A leaf or an extension over nibbles [start, end) of `nibbles`.
    function _shortNode(bytes memory nibbles, uint256 start, uint256 end, bool isLeaf, RlpItem second)
        private
        pure
        returns (bytes memory)
    {
        return RlpWriter.encodePair(RlpReader.toItem(RlpWriter.encodeString(_hexPrefix(nibbles, start, end, isLeaf))), second);
    }

    /// @notice How a parent refers to a node: inline under 32 bytes, else by its hash.
    function _reference(bytes memory node) private pure returns (RlpItem) {
        if (node.length < 32) return RlpReader.toItem(node);
        return RlpReader.toItem(RlpWriter.encodeHash(keccak256(node)));
    }

    function _emptyBranch() private pure returns (RlpItem[] memory slots) {
        slots = new RlpItem[](17);
        RlpItem empty = _emptyItem();
        for (uint256 i = 0; i < 17; i++) {
            slots[i] = empty;
        }
    }

    function _emptyItem() private pure returns (RlpItem) {
        return RlpReader.toItem(hex"80");
    }

    /// @notice An empty slot of a branch: rlp("").
    function _isEmpty(RlpItem item) private pure returns (bool empty) {
        if (item.length() != 1) return false;
        uint256 start = item.ptr();
        assembly ("memory-safe") {
            empty := eq(byte(0, mload(start)), 0x80)
        }
    }

    /// @notice Hex-prefix (compact) encoding of nibbles [start, end).
    function _hexPrefix(bytes memory nibbles, uint256 start, uint256 end, bool isLeaf)
        private
        pure
        returns (bytes memory compact)
    {
        uint256 count = end - start;
        uint256 flag = isLeaf ? 2 : 0;
        compact = new bytes(count / 2 + 1);
        assembly ("memory-safe") {
            let source := add(add(nibbles, 32), start)
            let out := add(compact, 32)
            let first := shl(4, flag)
            let odd := and(count, 1)
            if odd {
                first := or(shl(4, add(flag, 1)), byte(0, mload(source)))
            }
            mstore8(out, first)
            for { let i := odd } lt(i, count) { i := add(i, 2) } {
                out := add(out, 1)
                let pair := mload(add(source, i))
                mstore8(out, or(shl(4, byte(0, pair)), byte(1, pair)))
            }
        }
    }

    /// @notice A leaf's or an extension's hex-prefix path, as one nibble a byte.
    function _decodePath(RlpItem encodedPath) private pure returns (bool isLeaf, bytes memory nibbles) {
        (uint256 compact, uint256 compactLength) = encodedPath.payload();
        if (compactLength == 0) revert MerkleTrie.BadPath();
        uint256 head;
        assembly ("memory-safe") {
            head := byte(0, mload(compact))
        }
        uint256 flag = head >> 4;
        if (flag > 3) revert MerkleTrie.BadPath();
        isLeaf = flag >= 2;
        uint256 odd = flag % 2;
        if (odd == 0 && head & 0x0f != 0) revert MerkleTrie.BadPath();
        nibbles = _nibblesAt(compact + 1, compactLength - 1, odd);
        if (odd == 1) nibbles[0] = bytes1(uint8(head & 0x0f));
    }

    /// @notice How many nibbles from the start of `path` equal the key's from nibble `start`.
    function _sharedNibbles(bytes memory path, bytes memory key, uint256 start) private pure returns (uint256 n) {
        uint256 limit = key.length - start;
        if (path.length < limit) limit = path.length;
        assembly ("memory-safe") {
            let a := add(path, 32)
            let b := add(add(key, 32), start)
            // Whole words while they match, then byte by byte.
            for {} and(lt(add(n, 31), limit), eq(mload(add(a, n)), mload(add(b, n)))) { n := add(n, 32) } {}
            for {} and(lt(n, limit), eq(byte(0, mload(add(a, n))), byte(0, mload(add(b, n))))) { n := add(n, 1) } {}
        }
    }

    function _toNibbles(bytes memory data) private pure returns (bytes memory) {
        uint256 source;
        assembly ("memory-safe") {
            source := add(data, 32)
        }
        return _nibblesAt(source, data.length, 0);
    }

    /// @notice The `length` bytes at memory address `source`, split into nibbles (high first)
    ///         after `offset` leading nibbles left zero.
    function _nibblesAt(uint256 source, uint256 length, uint256 offset) private pure returns (bytes memory nibbles) {
        nibbles = new bytes(offset + length * 2);
        assembly ("memory-safe") {
            let out := add(add(nibbles, 32), offset)
            for { let i := 0 } lt(i, length) { i := add(i, 1) } {
                let b := byte(0, mload(add(source, i)))
                mstore8(add(out, shl(1, i)), shr(4, b))
                mstore8(add(out, add(shl(1, i), 1)), and(b, 0x0f))
            }
        }
    }
}
