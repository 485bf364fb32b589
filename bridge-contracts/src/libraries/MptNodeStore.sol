// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MerkleTrie} from "./MerkleTrie.sol";
import {RlpItem, RlpReader} from "./RlpReader.sol";
import {RlpWriter} from "./RlpWriter.sol";
import {TrieNode} from "./TrieNode.sol";

/// @title MptNodeStore
/// @notice A Merkle-Patricia trie over a node store in memory: the witness is a deduplicated set of
///         RLP trie nodes, each hashed once into an open-addressing table (hash -> node). `get` walks
///         the table from any root; `set` rewrites the key's path, adds the new nodes to the table and
///         returns the new root, so successive updates work from the current root. A node is trusted
///         only because its hash is the reference that leads to it, so a wrong witness can make a walk
///         revert (MissingNode) but never give a wrong answer.
///
///         Nodes under 32 bytes sit inline in their parent. Values are raw trie values (a storage
///         slot's is rlp(minimal big-endian bytes)); the empty value is absence, and setting it
///         deletes. A deletion that leaves a branch with one hashed child needs that child, which is
///         off the key's path: the witness must hold it (the builder adds it).
library MptNodeStore {
    error MissingNode(bytes32 hash);

    /// @notice The table: `hashes[i]` is zero for a free entry, else the keccak256 of `nodes[i]`.
    struct Store {
        bytes32[] hashes;
        bytes[] nodes;
        uint256 count;
    }

    /// @notice The nodes on a key's path, root first, as `set` collects them.
    struct Path {
        RlpItem[][] nodes;
        uint256[] consumed; // key nibbles before each node
        uint256 depth;
    }

    /// @notice A store holding every node of `witness` (duplicates are harmless).
    function create(bytes[] memory witness) internal pure returns (Store memory store) {
        uint256 capacity = 64;
        while (capacity < witness.length * 4) capacity <<= 1;
        store.hashes = new bytes32[](capacity);
        store.nodes = new bytes[](capacity);
        for (uint256 i = 0; i < witness.length; i++) {
            add(store, witness[i]);
        }
    }

    /// @notice Adds `node` under its hash; returns the hash.
    function add(Store memory store, bytes memory node) internal pure returns (bytes32 hash) {
        hash = keccak256(node);
        // Kept at most half full, so probes stay short.
        if ((store.count + 1) * 2 > store.hashes.length) _grow(store);
        uint256 mask = store.hashes.length - 1;
        uint256 i = uint256(hash) & mask;
        while (true) {
            bytes32 held = store.hashes[i];
            if (held == bytes32(0)) break;
            if (held == hash) return hash;
            i = (i + 1) & mask;
        }
        store.hashes[i] = hash;
        store.nodes[i] = node;
        store.count++;
    }

    /// @notice The node whose hash is `hash`; reverts with MissingNode when the witness lacks it.
    function node(Store memory store, bytes32 hash) internal pure returns (bytes memory) {
        uint256 mask = store.hashes.length - 1;
        uint256 i = uint256(hash) & mask;
        while (true) {
            bytes32 held = store.hashes[i];
            if (held == hash) return store.nodes[i];
            if (held == bytes32(0)) revert MissingNode(hash);
            i = (i + 1) & mask;
        }
    }

    /// @notice get for Ethereum's secure tries, whose paths are keccak256(key).
    function getSecure(Store memory store, bytes32 root, bytes memory key) internal pure returns (bytes memory) {
        return get(store, root, abi.encodePacked(keccak256(key)));
    }

    /// @notice set for Ethereum's secure tries, whose paths are keccak256(key).
    function setSecure(Store memory store, bytes32 root, bytes memory key, bytes memory value)
        internal
        pure
        returns (bytes32)
    {
        return set(store, root, abi.encodePacked(keccak256(key)), value);
    }

    /// @notice The value at `path` (the raw trie key) in the trie of `root`; empty when absent.
    function get(Store memory store, bytes32 root, bytes memory path) internal pure returns (bytes memory) {
        if (root == MerkleTrie.EMPTY_ROOT) return "";
        bytes memory key = TrieNode.toNibbles(path);
        RlpItem current = RlpReader.toItem(node(store, root));
        uint256 consumed;
        while (true) {
            RlpItem[] memory items = _readNode(current);
            RlpItem child;
            if (items.length == 17) {
                if (consumed == key.length) return items[16].readBytes();
                child = items[uint8(key[consumed])];
                consumed += 1;
            } else if (items.length == 2) {
                (bool isLeaf, bytes memory nodePath) = TrieNode.decodePath(items[0]);
                uint256 matched = TrieNode.sharedNibbles(nodePath, key, consumed);
                if (matched < nodePath.length) return "";
                consumed += nodePath.length;
                if (isLeaf) return consumed == key.length ? items[1].readBytes() : bytes("");
                if (nodePath.length == 0) revert MerkleTrie.BadNode();
                child = items[1];
            } else {
                revert MerkleTrie.BadNode();
            }
            if (TrieNode.isEmpty(child)) return "";
            current = _resolve(store, child);
        }
    }

    /// @notice The root after setting `path` (the raw trie key) to `value`; an empty value deletes.
    ///         Every new node of 32 bytes or more (and the new root) is added to the store.
    function set(Store memory store, bytes32 root, bytes memory path, bytes memory value)
        internal
        pure
        returns (bytes32)
    {
        bytes memory key = TrieNode.toNibbles(path);
        RlpItem valueItem = RlpReader.toItem(RlpWriter.encodeString(value));
        bool deleting = value.length == 0;
        Path memory walk;
        walk.nodes = new RlpItem[][](key.length + 1);
        walk.consumed = new uint256[](key.length + 1);
        bytes memory rewritten;
        if (root == MerkleTrie.EMPTY_ROOT) {
            if (deleting) return root;
            rewritten = TrieNode.shortNode(key, 0, key.length, true, valueItem);
        } else {
            bool unchanged;
            (rewritten, unchanged) = _rewritePath(store, walk, RlpReader.toItem(node(store, root)), key, valueItem, deleting);
            if (unchanged) return root;
        }
        // Rewrite each parent around its new child, from the path's end up to the root.
        for (uint256 d = walk.depth; d > 1; d--) {
            rewritten = _replaceChild(store, walk.nodes[d - 2], walk.consumed[d - 2], key, rewritten);
        }
        if (rewritten.length == 0) return MerkleTrie.EMPTY_ROOT;
        return add(store, rewritten);
    }

    /// @notice Walks the key's path from `current`, recording it in `walk`, and returns the new
    ///         encoding of the node where the walk ends (empty: gone), or `unchanged` for a
    ///         deletion of an absent key.
    function _rewritePath(
        Store memory store,
        Path memory walk,
        RlpItem current,
        bytes memory key,
        RlpItem valueItem,
        bool deleting
    ) private pure returns (bytes memory, bool unchanged) {
        uint256 consumed;
        while (true) {
            RlpItem[] memory items = _readNode(current);
            walk.nodes[walk.depth] = items;
            walk.consumed[walk.depth] = consumed;
            walk.depth++;
            if (items.length == 17) {
                if (consumed == key.length) {
                    if (deleting && TrieNode.isEmpty(items[16])) return ("", true);
                    return (_setBranchSlot(store, items, 16, deleting ? TrieNode.emptyItem() : valueItem), false);
                }
                uint256 nibble = uint8(key[consumed]);
                RlpItem child = items[nibble];
                if (TrieNode.isEmpty(child)) {
                    if (deleting) return ("", true);
                    RlpItem leaf = _reference(store, TrieNode.shortNode(key, consumed + 1, key.length, true, valueItem));
                    return (_setBranchSlot(store, items, nibble, leaf), false);
                }
                consumed += 1;
                current = _resolve(store, child);
                continue;
            }
            if (items.length != 2) revert MerkleTrie.BadNode();
            (bool isLeaf, bytes memory nodePath) = TrieNode.decodePath(items[0]);
            uint256 matched = TrieNode.sharedNibbles(nodePath, key, consumed);
            if (isLeaf && matched == nodePath.length && consumed + matched == key.length) {
                if (deleting) return ("", false);
                return (RlpWriter.encodePair(items[0], valueItem), false);
            }
            if (!isLeaf && matched == nodePath.length) {
                if (nodePath.length == 0) revert MerkleTrie.BadNode();
                consumed += matched;
                current = _resolve(store, items[1]);
                continue;
            }
            // The key leaves the trie inside this leaf or extension.
            if (deleting) return ("", true);
            return (_split(store, items, matched, key, consumed + matched, valueItem), false);
        }
    }

    /// @notice Where the key leaves a leaf or an extension (after `matched` shared nibbles): a branch
    ///         holding both, under an extension of the shared nibbles if there are any.
    function _split(Store memory store, RlpItem[] memory items, uint256 matched, bytes memory key, uint256 keyAt, RlpItem valueItem)
        private
        pure
        returns (bytes memory)
    {
        (RlpItem[] memory slots, bytes memory nodePath) = _branchOfRest(store, items, matched);
        if (keyAt == key.length) {
            slots[16] = valueItem;
        } else {
            slots[uint8(key[keyAt])] = _reference(store, TrieNode.shortNode(key, keyAt + 1, key.length, true, valueItem));
        }
        bytes memory branch = RlpWriter.encodeList(slots);
        if (matched == 0) return branch;
        return TrieNode.shortNode(nodePath, 0, matched, false, _reference(store, branch));
    }

    /// @notice A branch holding what a leaf or an extension keeps below its first `matched` nibbles.
    function _branchOfRest(Store memory store, RlpItem[] memory items, uint256 matched)
        private
        pure
        returns (RlpItem[] memory slots, bytes memory nodePath)
    {
        bool isLeaf;
        (isLeaf, nodePath) = TrieNode.decodePath(items[0]);
        slots = TrieNode.emptyBranch();
        if (matched == nodePath.length) {
            slots[16] = items[1]; // a leaf whose path ends where the key goes on
        } else if (!isLeaf && matched + 1 == nodePath.length) {
            slots[uint8(nodePath[matched])] = items[1]; // an extension's child moves into the branch
        } else {
            slots[uint8(nodePath[matched])] =
                _reference(store, TrieNode.shortNode(nodePath, matched + 1, nodePath.length, isLeaf, items[1]));
        }
    }

    /// @notice A parent on the path, rewritten around its child's new encoding (empty: deleted).
    function _replaceChild(Store memory store, RlpItem[] memory items, uint256 consumed, bytes memory key, bytes memory child)
        private
        pure
        returns (bytes memory)
    {
        if (items.length == 17) {
            RlpItem link = child.length == 0 ? TrieNode.emptyItem() : _reference(store, child);
            return _setBranchSlot(store, items, uint8(key[consumed]), link);
        }
        // An extension's child is a branch of two or more occupants: it can collapse, not vanish.
        RlpItem[] memory childItems = _readNode(RlpReader.toItem(child));
        if (childItems.length == 17) return RlpWriter.encodePair(items[0], _reference(store, child));
        (, bytes memory nodePath) = TrieNode.decodePath(items[0]);
        (bool isLeaf, bytes memory childPath) = TrieNode.decodePath(childItems[0]);
        bytes memory joined = bytes.concat(nodePath, childPath);
        return TrieNode.shortNode(joined, 0, joined.length, isLeaf, childItems[1]);
    }

    /// @notice A branch with slot `slot` (0-15 a child, 16 the value) set to `item`. A branch left
    ///         with one occupant collapses: a lone value becomes a leaf, a lone child absorbs the
    ///         child's nibble (which needs that child's node from the store when it is hashed).
    function _setBranchSlot(Store memory store, RlpItem[] memory items, uint256 slot, RlpItem item)
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
        RlpItem link = slots[last];
        RlpItem[] memory childItems = _readNode(_resolve(store, link));
        bytes memory prefix = new bytes(1);
        prefix[0] = bytes1(uint8(last));
        if (childItems.length == 17) return TrieNode.shortNode(prefix, 0, 1, false, link);
        if (childItems.length != 2) revert MerkleTrie.BadNode();
        (bool isLeaf, bytes memory childPath) = TrieNode.decodePath(childItems[0]);
        bytes memory joined = bytes.concat(prefix, childPath);
        return TrieNode.shortNode(joined, 0, joined.length, isLeaf, childItems[1]);
    }

    /// @notice The items of a trie node (a list of 2 or 17); RlpReader.readList, sized for trie nodes.
    function _readNode(RlpItem item) private pure returns (RlpItem[] memory items) {
        uint256 start = item.ptr();
        (uint256 headerLength, uint256 payloadLength, bool list) = RlpReader.decodeHeader(start, item.length());
        if (!list || headerLength + payloadLength != item.length()) revert MerkleTrie.BadNode();
        items = new RlpItem[](17);
        uint256 count;
        uint256 cursor = start + headerLength;
        uint256 end = cursor + payloadLength;
        while (cursor < end) {
            if (count == 17) revert MerkleTrie.BadNode();
            (uint256 h, uint256 p,) = RlpReader.decodeHeader(cursor, end - cursor);
            items[count] = RlpItem.wrap((cursor << 128) | (h + p));
            cursor += h + p;
            count++;
        }
        assembly ("memory-safe") {
            mstore(items, count)
        }
    }

    /// @notice The node a non-empty reference points to: inline (under 32 bytes), or by hash.
    function _resolve(Store memory store, RlpItem link) private pure returns (RlpItem) {
        if (link.isList()) {
            if (link.length() >= 32) revert MerkleTrie.BadNode();
            return link;
        }
        return RlpReader.toItem(node(store, link.readBytes32()));
    }

    /// @notice How a parent refers to a node: inline under 32 bytes, else by its hash (and the node
    ///         joins the store, so later walks find it).
    function _reference(Store memory store, bytes memory encoded) private pure returns (RlpItem) {
        if (encoded.length < 32) return RlpReader.toItem(encoded);
        return RlpReader.toItem(RlpWriter.encodeHash(add(store, encoded)));
    }

    function _grow(Store memory store) private pure {
        bytes32[] memory oldHashes = store.hashes;
        bytes[] memory oldNodes = store.nodes;
        uint256 capacity = oldHashes.length * 2;
        store.hashes = new bytes32[](capacity);
        store.nodes = new bytes[](capacity);
        uint256 mask = capacity - 1;
        for (uint256 j = 0; j < oldHashes.length; j++) {
            bytes32 hash = oldHashes[j];
            if (hash == bytes32(0)) continue;
            uint256 i = uint256(hash) & mask;
            while (store.hashes[i] != bytes32(0)) i = (i + 1) & mask;
            store.hashes[i] = hash;
            store.nodes[i] = oldNodes[j];
        }
    }
}
