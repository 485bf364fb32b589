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
    error UnsortedPaths();

    /// @notice The table: `hashes[i]` is zero for a free entry, else the keccak256 of `nodes[i]`.
    struct Store {
        bytes32[] hashes;
        bytes[] nodes;
        uint256 count;
        /// @dev `nodes[i]`'s items once a walk has read them (TrieNode.read), so each node is
        ///      decoded once; empty until then.
        RlpItem[][] decoded;
    }

    /// @notice A multi-key update (setManyHashed): the keys as words, their new value items (0: delete).
    struct Update {
        Store store;
        uint256[] keys;
        RlpItem[] items;
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
        store.decoded = new RlpItem[][](capacity);
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

    /// @notice The items of the node whose hash is `hash`, decoded once per store (_decode: an
    ///         empty item, rlp(""), is 0). The array is shared: callers must not change it.
    function decodedNode(Store memory store, bytes32 hash) internal pure returns (RlpItem[] memory items) {
        bytes32[] memory hashes = store.hashes;
        uint256 i;
        bool missing;
        assembly ("memory-safe") {
            let mask := sub(mload(hashes), 1)
            i := and(hash, mask)
            for {} 1 {} {
                let held := mload(add(hashes, shl(5, add(i, 1))))
                if eq(held, hash) { break }
                if iszero(held) {
                    missing := 1
                    break
                }
                i := and(add(i, 1), mask)
            }
        }
        if (missing) revert MissingNode(hash);
        items = store.decoded[i];
        if (items.length == 0) {
            items = _decode(RlpReader.toItem(store.nodes[i]));
            store.decoded[i] = items;
        }
    }

    /// @notice get for Ethereum's secure tries, whose paths are keccak256(key).
    function getSecure(Store memory store, bytes32 root, bytes memory key) internal pure returns (bytes memory) {
        return getHashed(store, root, keccak256(key));
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

    // ------------------------------------------------------------- 64-nibble paths (secure tries)
    //
    // A path of a secure trie is a 32-byte hash: 64 nibbles, held as one word (nibble i is bits
    // 252 - 4i .. 255 - 4i). A leaf's or an extension's hex-prefix path is decoded into a word of the
    // same form (its nibbles left-aligned) and a count. In the multi-key update below, a branch's
    // child is an RlpItem: 0 for an empty slot, a reference read from a node (rlp(hash), or an
    // inline node), or a new node's whole encoding (a list of any length; it becomes rlp(hash) when
    // its parent is encoded, if it is 32 bytes or more).

    uint256 private constant LOW128 = 0xffffffffffffffffffffffffffffffff;

    /// @notice The value at the 64-nibble path `path` in the trie of `root`; empty when absent.
    function getHashed(Store memory store, bytes32 root, bytes32 path) internal pure returns (bytes memory) {
        if (root == MerkleTrie.EMPTY_ROOT) return "";
        uint256 key = uint256(path);
        RlpItem[] memory items = decodedNode(store, root);
        uint256 depth;
        while (true) {
            RlpItem child;
            if (items.length == 17) {
                if (depth == 64) revert MerkleTrie.BadNode();
                child = items[_nibble(key, depth)];
                depth += 1;
            } else {
                (bool isLeaf, uint256 nodePath, uint256 count) = _compactPath(items[0]);
                if (count > 64 - depth || _shared(key << (4 * depth), nodePath, count) < count) return "";
                depth += count;
                if (isLeaf) return depth == 64 ? items[1].readBytes() : bytes("");
                if (count == 0) revert MerkleTrie.BadNode();
                child = items[1];
            }
            if (RlpItem.unwrap(child) == 0) return "";
            if (TrieNode.isList(child)) {
                if (child.length() >= 32) revert MerkleTrie.BadNode();
                items = _decode(child);
            } else {
                items = decodedNode(store, TrieNode.hashReference(child));
            }
        }
    }

    /// @notice The root after setting every `paths[i]` (64-nibble paths, strictly ascending) to
    ///         `values[i]` (raw trie values; empty deletes) at once: each node on the union of the
    ///         paths is decoded, rewritten and hashed once. The trie is canonical, so the root is the
    ///         one that setting the keys one by one, in any order, gives. New nodes are not added to
    ///         the store. A deletion that leaves a branch with one hashed child needs that child
    ///         from the store.
    function setManyHashed(Store memory store, bytes32 root, bytes32[] memory paths, bytes[] memory values)
        internal
        pure
        returns (bytes32)
    {
        uint256 n = paths.length;
        if (n == 0) return root;
        Update memory u = Update({store: store, keys: new uint256[](n), items: new RlpItem[](n)});
        for (uint256 i = 0; i < n; i++) {
            u.keys[i] = uint256(paths[i]);
            if (i > 0 && u.keys[i] <= u.keys[i - 1]) revert UnsortedPaths();
            if (values[i].length > 0) u.items[i] = RlpReader.toItem(RlpWriter.encodeString(values[i]));
        }
        RlpItem top = root == MerkleTrie.EMPTY_ROOT ? RlpItem.wrap(0) : RlpReader.toItem(RlpWriter.encodeHash(root));
        RlpItem result = _update(u, top, 0, 0, n);
        if (RlpItem.unwrap(result) == 0) return MerkleTrie.EMPTY_ROOT;
        return result.hash();
    }

    /// @notice The new encoding of the node `link` refers to (0: no node) at `depth` after setting
    ///         keys[lo..hi), which all go through it; 0 when nothing is left.
    function _update(Update memory u, RlpItem link, uint256 depth, uint256 lo, uint256 hi) private pure returns (RlpItem) {
        if (RlpItem.unwrap(link) == 0) {
            if (hi - lo == 1) {
                if (RlpItem.unwrap(u.items[lo]) == 0) return RlpItem.wrap(0);
                return _short(u.keys[lo] << (4 * depth), 64 - depth, true, u.items[lo]);
            }
            uint256 common = _shared(u.keys[lo] << (4 * depth), u.keys[hi - 1] << (4 * depth), 64 - depth);
            RlpItem[] memory empty = new RlpItem[](17);
            return _prefix(u, u.keys[lo] << (4 * depth), common, _updateBranch(u, empty, depth + common, lo, hi));
        }
        RlpItem[] memory decoded = _decodeLink(u.store, link);
        if (decoded.length == 17) {
            RlpItem[] memory slots = new RlpItem[](17);
            assembly ("memory-safe") {
                mcopy(add(slots, 32), add(decoded, 32), mul(17, 32))
            }
            return _updateBranch(u, slots, depth, lo, hi);
        }
        return _updateShort(u, decoded, depth, lo, hi);
    }

    /// @notice _update for a leaf or an extension (its two items).
    function _updateShort(Update memory u, RlpItem[] memory decoded, uint256 depth, uint256 lo, uint256 hi)
        private
        pure
        returns (RlpItem)
    {
        if (RlpItem.unwrap(decoded[1]) == 0) revert MerkleTrie.BadNode();
        uint256 nodePath;
        uint256 prefixCount;
        RlpItem child; // an extension's child the keys all go into, else 0
        RlpItem[] memory slots; // else: the branch where the keys leave the node
        {
            bool isLeaf;
            uint256 count;
            (isLeaf, nodePath, count) = _compactPath(decoded[0]);
            if (count > 64 - depth || (isLeaf && count != 64 - depth) || (!isLeaf && count == 0)) revert MerkleTrie.BadNode();
            prefixCount = _shared(u.keys[lo] << (4 * depth), nodePath, count);
            uint256 last = _shared(u.keys[hi - 1] << (4 * depth), nodePath, count);
            if (last < prefixCount) prefixCount = last;
            if (prefixCount == count) {
                // a leaf: the only key here is its own (its path runs to the key's end)
                if (isLeaf) prefixCount = 64;
                else child = decoded[1];
            } else {
                // The keys leave this node after `prefixCount` nibbles: it is, in effect, a branch there.
                slots = _splitAt(decoded[1], isLeaf, nodePath, count, prefixCount);
            }
        }
        if (prefixCount == 64) {
            if (RlpItem.unwrap(u.items[lo]) == 0) return RlpItem.wrap(0);
            return _short(nodePath, 64 - depth, true, u.items[lo]);
        }
        RlpItem below = RlpItem.unwrap(child) != 0
            ? _update(u, child, depth + prefixCount, lo, hi)
            : _updateBranch(u, slots, depth + prefixCount, lo, hi);
        return _prefix(u, nodePath, prefixCount, below);
    }

    /// @notice The slots of a branch after the first `matched` nibbles of a leaf or an extension
    ///         (path `nodePath` of `count` nibbles, second item `second`): the rest in one slot.
    function _splitAt(RlpItem second, bool isLeaf, uint256 nodePath, uint256 count, uint256 matched)
        private
        pure
        returns (RlpItem[] memory slots)
    {
        slots = new RlpItem[](17);
        uint256 rest = count - matched - 1;
        slots[_nibble(nodePath, matched)] =
            !isLeaf && rest == 0 ? second : _short(nodePath << (4 * (matched + 1)), rest, isLeaf, second);
    }

    /// @notice A branch (its 17 slots, 0 for empty) at `depth` after setting keys[lo..hi).
    function _updateBranch(Update memory u, RlpItem[] memory slots, uint256 depth, uint256 lo, uint256 hi)
        private
        pure
        returns (RlpItem)
    {
        if (depth >= 64) revert MerkleTrie.BadNode();
        uint256[] memory keys = u.keys;
        uint256 i = lo;
        while (i < hi) {
            uint256 nibble;
            uint256 j;
            assembly ("memory-safe") {
                let shift := sub(252, shl(2, depth))
                nibble := and(shr(shift, mload(add(keys, shl(5, add(i, 1))))), 0xf)
                j := add(i, 1)
                for {} and(lt(j, hi), eq(and(shr(shift, mload(add(keys, shl(5, add(j, 1))))), 0xf), nibble)) {} { j := add(j, 1) }
            }
            slots[nibble] = _update(u, slots[nibble], depth + 1, i, j);
            i = j;
        }
        uint256 occupants;
        uint256 lastSlot;
        assembly ("memory-safe") {
            for { let k := 0 } lt(k, 17) { k := add(k, 1) } {
                if mload(add(slots, shl(5, add(k, 1)))) {
                    occupants := add(occupants, 1)
                    lastSlot := k
                }
            }
        }
        if (occupants > 1) return _encodeBranch(slots);
        if (occupants == 0) return RlpItem.wrap(0);
        if (lastSlot == 16) return _short(0, 0, true, slots[16]);
        // A lone child absorbs its nibble.
        return _prefix(u, lastSlot << 252, 1, slots[lastSlot]);
    }

    /// @notice `encoded` (a node, or 0) under the first `count` nibbles of `nodePath`: an extension
    ///         over a branch, or a leaf or an extension with the nibbles in front of its own.
    function _prefix(Update memory u, uint256 nodePath, uint256 count, RlpItem link) private pure returns (RlpItem) {
        if (RlpItem.unwrap(link) == 0) return link;
        if (count == 0) {
            // (only a node's own encoding comes here: _updateBranch's result)
            return link;
        }
        RlpItem first;
        RlpItem second;
        if (TrieNode.isList(link)) {
            // a new node or an inline one: only its first two items are read
            bool isPair;
            (isPair, first, second) = _pair(link);
            if (!isPair) return _short(nodePath, count, false, link);
        } else {
            RlpItem[] memory decoded = decodedNode(u.store, TrieNode.hashReference(link));
            if (decoded.length == 17) return _short(nodePath, count, false, link);
            (first, second) = (decoded[0], decoded[1]);
        }
        (bool isLeaf, uint256 childPath, uint256 childCount) = _compactPath(first);
        if (count + childCount > 64) revert MerkleTrie.BadNode();
        uint256 joined = (nodePath & ~(type(uint256).max >> (4 * count))) | (childPath >> (4 * count));
        return _short(joined, count + childCount, isLeaf, second);
    }

    /// @notice Whether the list `node_` holds exactly two items, and they (a branch: false).
    function _pair(RlpItem node_) private pure returns (bool isPair, RlpItem first, RlpItem second) {
        assembly ("memory-safe") {
            function itemSize(at) -> itemLength {
                let prefix := byte(0, mload(at))
                itemLength := 1
                if gt(prefix, 0x7f) {
                    switch lt(prefix, 0xb8)
                    case 1 { itemLength := sub(prefix, 0x7f) }
                    default {
                        switch lt(prefix, 0xc0)
                        case 1 {
                            let lengthOfLength := sub(prefix, 0xb7)
                            itemLength := add(add(1, lengthOfLength), shr(sub(256, shl(3, lengthOfLength)), mload(add(at, 1))))
                        }
                        default {
                            switch lt(prefix, 0xf8)
                            case 1 { itemLength := sub(prefix, 0xbf) }
                            default {
                                let lengthOfLength := sub(prefix, 0xf7)
                                itemLength := add(add(1, lengthOfLength), shr(sub(256, shl(3, lengthOfLength)), mload(add(at, 1))))
                            }
                        }
                    }
                }
            }
            let start := shr(128, node_)
            let end := add(start, and(node_, LOW128))
            let cursor := add(start, 1)
            let head := byte(0, mload(start))
            if gt(head, 0xf7) { cursor := add(cursor, sub(head, 0xf7)) }
            let size := itemSize(cursor)
            first := or(shl(128, cursor), size)
            cursor := add(cursor, size)
            size := itemSize(cursor)
            second := or(shl(128, cursor), size)
            isPair := eq(add(cursor, size), end)
        }
    }

    /// @notice The items of the node a non-empty child refers to: itself when it is a list (inline
    ///         or new), else the store's node for its hash (shared: not to be changed).
    function _decodeLink(Store memory store, RlpItem link) private pure returns (RlpItem[] memory) {
        if (TrieNode.isList(link)) return _decode(link);
        return decodedNode(store, TrieNode.hashReference(link));
    }

    /// @notice The items of a trie node (a list of 2 or 17 items; an empty item, rlp(""), is 0).
    ///         The node's hash vouches for it, so only its bounds are checked, not that it is
    ///         canonical RLP.
    function _decode(RlpItem node_) private pure returns (RlpItem[] memory items) {
        bool bad;
        assembly ("memory-safe") {
            let start := shr(128, node_)
            let size := and(node_, LOW128)
            let first := byte(0, mload(start))
            let headerLength := 1
            let payloadLength := sub(first, 0xc0)
            if gt(first, 0xf7) {
                let lengthOfLength := sub(first, 0xf7)
                headerLength := add(1, lengthOfLength)
                payloadLength := shr(sub(256, shl(3, lengthOfLength)), mload(add(start, 1)))
            }
            if or(lt(first, 0xc0), iszero(eq(add(headerLength, payloadLength), size))) { bad := 1 }
            items := mload(0x40)
            mstore(0x40, add(items, 576)) // 18 words
            let out := add(items, 32)
            let cursor := add(start, headerLength)
            let end := add(start, size)
            // (a malformed node may write past the 17 words before the count check: into free memory)
            for {} lt(cursor, end) { out := add(out, 32) } {
                let prefix := byte(0, mload(cursor))
                switch prefix
                case 0xa0 {
                    mstore(out, or(shl(128, cursor), 33))
                    cursor := add(cursor, 33)
                }
                case 0x80 {
                    mstore(out, 0)
                    cursor := add(cursor, 1)
                }
                default {
                    let itemSize := 1
                    if gt(prefix, 0x7f) {
                        switch lt(prefix, 0xb8)
                        case 1 { itemSize := sub(prefix, 0x7f) }
                        default {
                            switch lt(prefix, 0xc0)
                            case 1 {
                                let lengthOfLength := sub(prefix, 0xb7)
                                itemSize := add(add(1, lengthOfLength), shr(sub(256, shl(3, lengthOfLength)), mload(add(cursor, 1))))
                            }
                            default {
                                switch lt(prefix, 0xf8)
                                case 1 { itemSize := sub(prefix, 0xbf) }
                                default {
                                    let lengthOfLength := sub(prefix, 0xf7)
                                    itemSize := add(add(1, lengthOfLength), shr(sub(256, shl(3, lengthOfLength)), mload(add(cursor, 1))))
                                }
                            }
                        }
                    }
                    mstore(out, or(shl(128, cursor), itemSize))
                    cursor := add(cursor, itemSize)
                }
            }
            let count := shr(5, sub(out, add(items, 32)))
            if iszero(eq(cursor, end)) { bad := 1 }
            if and(iszero(eq(count, 2)), iszero(eq(count, 17))) { bad := 1 }
            mstore(items, count)
        }
        if (bad) revert MerkleTrie.BadNode();
    }

    /// @notice A hex-prefix path item: whether it is a leaf's, its nibbles left-aligned, and how
    ///         many (65 stands for "more than 64").
    function _compactPath(RlpItem item) private pure returns (bool isLeaf, uint256 nibbles, uint256 count) {
        if (RlpItem.unwrap(item) == 0) revert MerkleTrie.BadPath();
        uint256 start = item.ptr();
        uint256 size = item.length();
        bool bad;
        assembly ("memory-safe") {
            let first := byte(0, mload(start))
            let payload := start
            let payloadLength := 1
            if gt(first, 0x7f) {
                payload := add(start, 1)
                payloadLength := sub(first, 0x80)
                // a string of 1 to 55 bytes, canonical, spanning the item
                if or(or(gt(first, 0xb7), iszero(payloadLength)), iszero(eq(add(payloadLength, 1), size))) { bad := 1 }
                if and(eq(payloadLength, 1), lt(byte(0, mload(payload)), 0x80)) { bad := 1 }
            }
            if and(iszero(gt(first, 0x7f)), iszero(eq(size, 1))) { bad := 1 }
            let head := byte(0, mload(payload))
            let flag := shr(4, head)
            if gt(flag, 3) { bad := 1 }
            let odd := and(flag, 1)
            if and(iszero(odd), and(head, 0x0f)) { bad := 1 }
            isLeaf := gt(flag, 1)
            count := add(mul(2, sub(payloadLength, 1)), odd)
            switch gt(count, 64)
            case 1 { count := 65 }
            default {
                switch odd
                case 1 { nibbles := shl(4, mload(payload)) }
                default { nibbles := mload(add(payload, 1)) }
                nibbles := and(nibbles, not(shr(mul(4, count), not(0))))
            }
        }
        if (bad) revert MerkleTrie.BadPath();
    }

    /// @notice How many leading nibbles of `a` and `b` agree, at most `limit`.
    function _shared(uint256 a, uint256 b, uint256 limit) private pure returns (uint256 n) {
        assembly ("memory-safe") {
            let x := xor(a, b)
            switch x
            case 0 { n := 64 }
            default {
                if lt(x, shl(128, 1)) { n := 32 x := shl(128, x) }
                if lt(x, shl(192, 1)) { n := add(n, 16) x := shl(64, x) }
                if lt(x, shl(224, 1)) { n := add(n, 8) x := shl(32, x) }
                if lt(x, shl(240, 1)) { n := add(n, 4) x := shl(16, x) }
                if lt(x, shl(248, 1)) { n := add(n, 2) x := shl(8, x) }
                if lt(x, shl(252, 1)) { n := add(n, 1) }
            }
            if gt(n, limit) { n := limit }
        }
    }

    function _nibble(uint256 key, uint256 i) private pure returns (uint256) {
        return (key >> (252 - 4 * i)) & 0xf;
    }

    /// @notice A leaf or an extension: the first `count` nibbles of `nodePath`, and `second` (a
    ///         value item, or a child: a list of 32 bytes or more is referred to by its hash).
    function _short(uint256 nodePath, uint256 count, bool isLeaf, RlpItem second) private pure returns (RlpItem out) {
        uint256 secondLength = _referenceLength(second);
        assembly ("memory-safe") {
            nodePath := and(nodePath, not(shr(mul(4, count), not(0))))
            let flag := add(mul(2, isLeaf), and(count, 1))
            let compactLength := add(shr(1, count), 1)
            // rlp of the compact path: one byte under 0x80 is itself
            let pathItemLength := add(compactLength, gt(compactLength, 1))
            let payload := add(pathItemLength, secondLength)
            let start := mload(0x40)
            let cursor := add(start, 1)
            switch lt(payload, 56)
            case 1 { mstore8(start, add(0xc0, payload)) }
            default {
                mstore8(start, 0xf8)
                mstore8(cursor, payload)
                cursor := add(cursor, 1)
            }
            switch eq(compactLength, 1)
            case 1 { mstore8(cursor, or(shl(4, flag), shr(252, nodePath))) }
            default {
                mstore8(cursor, add(0x80, compactLength))
                switch and(count, 1)
                case 1 { mstore(add(cursor, 1), or(shl(252, flag), shr(4, nodePath))) }
                default {
                    mstore8(add(cursor, 1), shl(4, flag))
                    mstore(add(cursor, 2), nodePath)
                }
            }
            cursor := add(cursor, pathItemLength)
            switch eq(secondLength, and(second, LOW128))
            case 1 { mcopy(cursor, shr(128, second), secondLength) }
            default {
                let h := keccak256(shr(128, second), and(second, LOW128))
                mstore8(cursor, 0xa0)
                mstore(add(cursor, 1), h)
            }
            cursor := add(cursor, secondLength)
            mstore(0x40, and(add(cursor, 63), not(31)))
            out := or(shl(128, start), sub(cursor, start))
        }
    }

    /// @notice How many bytes a parent spends on `item`: 33 for a list of 32 bytes or more (its
    ///         hash), else the item itself.
    function _referenceLength(RlpItem item) private pure returns (uint256 size) {
        assembly ("memory-safe") {
            size := and(item, LOW128)
            if gt(size, 31) {
                if gt(byte(0, mload(shr(128, item))), 0xbf) { size := 33 }
            }
        }
    }

    /// @notice A branch of 17 slots (0 for empty; a list of 32 bytes or more is referred to by its hash).
    function _encodeBranch(RlpItem[] memory slots) private pure returns (RlpItem out) {
        assembly ("memory-safe") {
            let first := add(slots, 32)
            let end := add(first, mul(17, 32))
            let payload := 0
            for { let p := first } lt(p, end) { p := add(p, 32) } {
                let item := mload(p)
                let size := and(item, LOW128)
                switch iszero(item)
                case 1 { size := 1 }
                default { if and(gt(size, 31), gt(byte(0, mload(shr(128, item))), 0xbf)) { size := 33 } }
                payload := add(payload, size)
            }
            let start := mload(0x40)
            let cursor := start
            switch lt(payload, 56)
            case 1 {
                mstore8(cursor, add(0xc0, payload))
                cursor := add(cursor, 1)
            }
            default {
                switch lt(payload, 256)
                case 1 {
                    mstore8(cursor, 0xf8)
                    mstore8(add(cursor, 1), payload)
                    cursor := add(cursor, 2)
                }
                default {
                    mstore8(cursor, 0xf9)
                    mstore8(add(cursor, 1), shr(8, payload))
                    mstore8(add(cursor, 2), and(payload, 0xff))
                    cursor := add(cursor, 3)
                }
            }
            for { let p := first } lt(p, end) { p := add(p, 32) } {
                let item := mload(p)
                switch iszero(item)
                case 1 {
                    mstore8(cursor, 0x80)
                    cursor := add(cursor, 1)
                }
                default {
                    let ptr := shr(128, item)
                    let size := and(item, LOW128)
                    switch and(gt(size, 31), gt(byte(0, mload(ptr)), 0xbf))
                    case 1 {
                        let h := keccak256(ptr, size)
                        mstore8(cursor, 0xa0)
                        mstore(add(cursor, 1), h)
                        cursor := add(cursor, 33)
                    }
                    default {
                        mcopy(cursor, ptr, size)
                        cursor := add(cursor, size)
                    }
                }
            }
            mstore(0x40, and(add(cursor, 63), not(31)))
            out := or(shl(128, start), sub(cursor, start))
        }
    }

    function _grow(Store memory store) private pure {
        bytes32[] memory oldHashes = store.hashes;
        bytes[] memory oldNodes = store.nodes;
        RlpItem[][] memory oldDecoded = store.decoded;
        uint256 capacity = oldHashes.length * 2;
        store.hashes = new bytes32[](capacity);
        store.nodes = new bytes[](capacity);
        store.decoded = new RlpItem[][](capacity);
        uint256 mask = capacity - 1;
        for (uint256 j = 0; j < oldHashes.length; j++) {
            bytes32 hash = oldHashes[j];
            if (hash == bytes32(0)) continue;
            uint256 i = uint256(hash) & mask;
            while (store.hashes[i] != bytes32(0)) i = (i + 1) & mask;
            store.hashes[i] = hash;
            store.nodes[i] = oldNodes[j];
            store.decoded[i] = oldDecoded[j];
        }
    }
}
