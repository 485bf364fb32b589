// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {BetEngineLogic} from "../../stf/BetEngineLogic.sol";
import {BetEngineWitnessFrame} from "./BetEngineWitnessFrame.sol";
import {BetEngineExtensionVerifier} from "./BetEngineExtensionVerifier.sol";
import {MerkleTrie} from "../../libraries/MerkleTrie.sol";
import {MptNodeStore} from "../../libraries/MptNodeStore.sol";

/// @title BetEngineVerifier
/// @notice The L1 build of the betting state machine (DESIGN.md decision 4): the same
///         BetEngineLogic, over the L2 state proven by a witness. `execute` runs one bet engine call
///         of an L2 tx and returns the L2 state root after that tx, exactly as the L2 EVM leaves it:
///         the call's storage writes (none when it reverts) in the bet engine's storage trie, and the
///         sender's nonce + 1.
/// @dev How a call runs. The rules are external functions, so they run in a self-call whose calldata
///      is the tx's own calldata, unchanged (anything appended would change how malformed calldata
///      decodes). A reverting call then discards its writes as on L2. Memory does not cross frames,
///      so the two frames share transient storage: the outer frame proves slots from the witness
///      and offers their values; the inner frame's `_load` reads a written or offered value, and for
///      any other slot reverts with SlotNotInWitness, on which the outer frame proves that slot and
///      runs the call again. `_store` records each write and the order of first writes. After a
///      successful call the outer frame applies the writes to the storage trie as one multi-key
///      update (the trie is canonical: the root is the one of applying them in order), then the bet
///      engine account and the sender's nonce to the state trie, again at once. Every transient
///      entry is cleared before `execute` returns.
contract BetEngineVerifier is BetEngineLogic, BetEngineWitnessFrame {
    using MptNodeStore for MptNodeStore.Store;

    /// @notice The bet engine predeploy on L2 (sdk/src/constants.ts BET_ENGINE_ADDRESS).
    address internal constant BET_ENGINE = 0x4200000000000000000000000000000000000b37;
    bytes32 internal constant EMPTY_CODE_HASH = keccak256("");
    /// @notice No bet engine function reads more slots than this (placeBet, the most, reads 8; the views
    ///         with loops are not here but in BetEngineViews, on L2 only).
    uint256 internal constant MAX_OFFERED_SLOTS = 64;
    /// @notice A witness entry that is no trie node (those start with an RLP list byte, >= 0xc0) but
    ///         a list of slots the call touches: this byte, then the slots, 32 bytes each. The outer
    ///         frame proves and offers them before the first run, which spares the inner frame one
    ///         re-run per slot. Hints change no result: every value offered is proven from the
    ///         pre-state all the same, a slot the call does not touch is never read, and one the
    ///         hints miss is still asked for by SlotNotInWitness.
    bytes1 internal constant SLOT_HINTS = 0x00;
    bytes32 private constant T_HINTS = keccak256("rollbook.betEngineVerifier.hints");

    error InnerCallOutOfGas();
    error TooManySlots();
    error BadStateValue();

    struct Account {
        uint256 nonce;
        uint256 balance;
        bytes32 storageRoot;
        bytes32 codeHash;
    }

    /// @notice The second half of the rules (BetEngineExtension), created with this contract and
    ///         run by delegatecall for any selector this half does not have (docs/decisions/0008).
    address public immutable extension;

    constructor() {
        extension = address(new BetEngineExtensionVerifier());
    }

    /// @notice The inner frame's call of a rule of the other half: runs it in this contract's context
    ///         (its transient state), with its result or revert as is. A selector neither half has
    ///         reverts there with no data, as on L2; any other caller is refused.
    fallback() external {
        if (msg.sender != address(this)) revert NotVerifierCall();
        address target = extension;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @notice The L2 state root after an L2 tx from `sender` calling the bet engine with `data` at
    ///         `time`, from the state root before it and a witness: the state trie nodes on the
    ///         paths of the bet engine's and the sender's accounts, and the bet engine's storage trie
    ///         nodes on the path of every slot the call reads or writes (plus, for a write of zero
    ///         that collapses a branch, the branch's other child). Reverts with MissingNode when the
    ///         witness lacks a node. The caller has checked the tx (signature, nonce, target).
    function execute(bytes32 preStateRoot, bytes[] calldata witness, address sender, uint64 time, bytes calldata data)
        external
        returns (bytes32 postStateRoot)
    {
        // The bet engine has no such function: a tx calling it reverts there too.
        if (msg.sender == address(this)) revert();
        _stashHints(witness);
        return _execute(MptNodeStore.create(witness), preStateRoot, _packContext(sender, time), data);
    }

    /// @notice `execute` for a tx that carries `nonce`: it runs only when that is the sender's
    ///         nonce in the pre-state (else `ran` is false and the root unchanged), with the witness
    ///         hashed into the node store once for both the check and the call.
    function executeWithNonce(bytes32 preStateRoot, bytes[] calldata witness, address sender, uint256 nonce, uint64 time, bytes calldata data)
        external
        returns (bool ran, bytes32 postStateRoot)
    {
        if (msg.sender == address(this)) revert();
        MptNodeStore.Store memory store = MptNodeStore.create(witness);
        if (_readAccount(store, preStateRoot, sender).nonce != nonce) return (false, preStateRoot);
        _stashHints(witness);
        return (true, _execute(store, preStateRoot, _packContext(sender, time), data));
    }

    /// @dev Keeps the witness's slot hints (SLOT_HINTS entries) in transient storage for _execute:
    ///      count at T_HINTS, slots after it.
    function _stashHints(bytes[] calldata witness) private {
        uint256 count;
        for (uint256 i = 0; i < witness.length; i++) {
            bytes calldata entry = witness[i];
            if (entry.length == 0 || entry[0] != SLOT_HINTS || entry.length % 32 != 1) continue;
            for (uint256 at = 1; at < entry.length; at += 32) {
                if (count == MAX_OFFERED_SLOTS) revert TooManySlots();
                _tstore(bytes32(uint256(T_HINTS) + 1 + count++), uint256(bytes32(entry[at:at + 32])));
            }
        }
        _tstore(T_HINTS, count);
    }

    /// @dev Offers the stashed hints (each once) into `offered`; returns how many it offered. Clears them.
    function _offerHints(MptNodeStore.Store memory store, bytes32 storageRoot, bytes32[] memory offered) private returns (uint256 count) {
        uint256 hints = _tload(T_HINTS);
        for (uint256 i = 0; i < hints; i++) {
            bytes32 key = bytes32(uint256(T_HINTS) + 1 + i);
            bytes32 slot = bytes32(_tload(key));
            _tstore(key, 0);
            if (_tload(_slotKey(T_SLOT_STATE, slot)) != 0) continue;
            offered[count++] = slot;
            _offer(store, storageRoot, slot);
        }
        _tstore(T_HINTS, 0);
    }

    /// @dev Proves `slot` from the witness and offers its value to the inner frame.
    function _offer(MptNodeStore.Store memory store, bytes32 storageRoot, bytes32 slot) private {
        _tstore(_slotKey(T_SLOT_STATE, slot), OFFERED);
        _tstore(_slotKey(T_SLOT_VALUE, slot), _readSlot(store, storageRoot, slot));
    }

    /// @dev The call's context as the transient slot holds it: sender | time << 160 | 1 << 224.
    function _packContext(address sender, uint64 time) private pure returns (uint256) {
        return uint256(uint160(sender)) | (uint256(time) << 160) | (1 << 224);
    }

    /// @dev `context` packed by _packContext (one stack slot: the loop below is at the stack's limit).
    function _execute(MptNodeStore.Store memory store, bytes32 preStateRoot, uint256 context, bytes calldata data)
        private
        returns (bytes32 postStateRoot)
    {
        Account memory engine = _readAccount(store, preStateRoot, BET_ENGINE);
        _tstore(T_CONTEXT, context);
        bytes32[] memory offered = new bytes32[](MAX_OFFERED_SLOTS);
        uint256 offeredCount = _offerHints(store, engine.storageRoot, offered);
        bool succeeded;
        while (true) {
            uint256 gasBefore = gasleft();
            bytes memory returned;
            (succeeded, returned) = address(this).call(data);
            if (succeeded) break;
            bytes32 missing;
            bool wantsSlot;
            (wantsSlot, missing) = _missingSlot(returned);
            if (!wantsSlot) {
                // The bet engine's gas is bounded far below a tx's, so only a short gas supply ends here.
                if (gasleft() <= gasBefore / 63) revert InnerCallOutOfGas();
                break;
            }
            if (offeredCount == MAX_OFFERED_SLOTS) revert TooManySlots();
            offered[offeredCount++] = missing;
            _offer(store, engine.storageRoot, missing);
        }

        bool engineChanged;
        if (succeeded) {
            bytes32 storageRoot = _applyWrites(store, engine.storageRoot);
            engineChanged = storageRoot != engine.storageRoot;
            engine.storageRoot = storageRoot;
        }
        postStateRoot = _applyAccounts(store, preStateRoot, engine, engineChanged, address(uint160(context)));

        for (uint256 i = 0; i < offeredCount; i++) {
            _tstore(_slotKey(T_SLOT_STATE, offered[i]), 0);
            _tstore(_slotKey(T_SLOT_VALUE, offered[i]), 0);
        }
        _tstore(T_CONTEXT, 0);
    }

    // ---------------------------------------------------------------- state trie

    /// @notice Applies the successful call's writes to the storage trie as one multi-key update
    ///         (each shared node rewritten and hashed once), clearing them. The trie is canonical,
    ///         so this is the root that applying them one by one, in order of first write, gives.
    function _applyWrites(MptNodeStore.Store memory store, bytes32 storageRoot) private returns (bytes32) {
        uint256 count = _tload(T_WRITES);
        if (count == 0) return storageRoot;
        bytes32[] memory paths = new bytes32[](count);
        bytes[] memory values = new bytes[](count);
        for (uint256 i = 0; i < count; i++) {
            bytes32 listKey = bytes32(uint256(T_WRITES) + 1 + i);
            bytes32 slot = bytes32(_tload(listKey));
            bytes32 valueKey = _slotKey(T_SLOT_VALUE, slot);
            bytes32 path = keccak256(abi.encode(slot));
            bytes memory value = _encodeSlotValue(_tload(valueKey));
            // insertion sort by path: a call writes a handful of slots
            uint256 j = i;
            while (j > 0 && paths[j - 1] > path) {
                paths[j] = paths[j - 1];
                values[j] = values[j - 1];
                j--;
            }
            paths[j] = path;
            values[j] = value;
            _tstore(listKey, 0);
            _tstore(valueKey, 0);
            _tstore(_slotKey(T_SLOT_STATE, slot), 0);
        }
        _tstore(T_WRITES, 0);
        return store.setManyHashed(storageRoot, paths, values);
    }

    /// @notice The state root after the bet engine's account (when its storage changed) and the
    ///         sender's nonce + 1, as one update of the state trie.
    function _applyAccounts(
        MptNodeStore.Store memory store,
        bytes32 stateRoot,
        Account memory engine,
        bool engineChanged,
        address sender
    ) private pure returns (bytes32) {
        if (sender == BET_ENGINE) {
            // (no key signs for the predeploy's address; kept exact all the same)
            engine.nonce += 1;
            return _setAccounts(store, stateRoot, _accountPath(BET_ENGINE), _encodeAccount(engine), 0, "");
        }
        Account memory account = _readAccount(store, stateRoot, sender);
        account.nonce += 1;
        if (!engineChanged) return _setAccounts(store, stateRoot, _accountPath(sender), _encodeAccount(account), 0, "");
        return _setAccounts(store, stateRoot, _accountPath(sender), _encodeAccount(account), _accountPath(BET_ENGINE), _encodeAccount(engine));
    }

    /// @notice Sets one or two accounts (`second` 0: one) in the state trie at once.
    function _setAccounts(MptNodeStore.Store memory store, bytes32 stateRoot, bytes32 first, bytes memory firstValue, bytes32 second, bytes memory secondValue)
        private
        pure
        returns (bytes32)
    {
        uint256 n = second == 0 ? 1 : 2;
        bytes32[] memory paths = new bytes32[](n);
        bytes[] memory values = new bytes[](n);
        if (n == 1 || first < second) {
            (paths[0], values[0]) = (first, firstValue);
            if (n == 2) (paths[1], values[1]) = (second, secondValue);
        } else {
            (paths[0], values[0], paths[1], values[1]) = (second, secondValue, first, firstValue);
        }
        return store.setManyHashed(stateRoot, paths, values);
    }

    function _accountPath(address account) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(account));
    }

    function _readSlot(MptNodeStore.Store memory store, bytes32 storageRoot, bytes32 slot) private pure returns (uint256 value) {
        bytes memory stored = store.getSecure(storageRoot, abi.encode(slot));
        if (stored.length == 0) return 0;
        // rlp of at most 32 bytes
        bool bad;
        assembly ("memory-safe") {
            let first := byte(0, mload(add(stored, 32)))
            switch lt(first, 0x80)
            case 1 {
                value := first
                bad := iszero(eq(mload(stored), 1))
            }
            default {
                let length := sub(first, 0x80)
                bad := or(gt(length, 32), iszero(eq(mload(stored), add(length, 1))))
                value := shr(mul(8, sub(32, length)), mload(add(stored, 33)))
            }
        }
        if (bad) revert BadStateValue();
    }

    /// @notice A storage trie value: rlp of the minimal big-endian bytes; zero is absence (empty).
    function _encodeSlotValue(uint256 value) private pure returns (bytes memory out) {
        if (value == 0) return "";
        assembly ("memory-safe") {
            let length := 0
            for { let v := value } v { v := shr(8, v) } { length := add(length, 1) }
            let word := shl(mul(8, sub(32, length)), value)
            out := mload(0x40)
            switch and(eq(length, 1), lt(value, 0x80))
            case 1 {
                // one byte under 0x80 is its own encoding
                mstore(out, 1)
                mstore(add(out, 32), word)
            }
            default {
                mstore(out, add(length, 1))
                mstore8(add(out, 32), add(0x80, length))
                mstore(add(out, 33), word)
            }
            mstore(0x40, add(out, 96))
        }
    }

    /// @notice An account as the state trie holds it; an absent one is empty.
    function _readAccount(MptNodeStore.Store memory store, bytes32 stateRoot, address account)
        private
        pure
        returns (Account memory result)
    {
        bytes memory encoded = store.getSecure(stateRoot, abi.encodePacked(account));
        if (encoded.length == 0) {
            return Account({nonce: 0, balance: 0, storageRoot: MerkleTrie.EMPTY_ROOT, codeHash: EMPTY_CODE_HASH});
        }
        // rlp([nonce, balance, storageRoot, codeHash]): two numbers of at most 32 bytes, two hashes
        bool bad;
        assembly ("memory-safe") {
            function numberAt(at) -> n, next, err {
                let first := byte(0, mload(at))
                switch lt(first, 0x80)
                case 1 {
                    n := first
                    next := add(at, 1)
                }
                default {
                    let length := sub(first, 0x80)
                    err := gt(length, 32)
                    n := shr(mul(8, sub(32, length)), mload(add(at, 1)))
                    next := add(add(at, 1), length)
                }
            }
            function hashAt(at) -> hash, next, err {
                err := iszero(eq(byte(0, mload(at)), 0xa0))
                hash := mload(add(at, 1))
                next := add(at, 33)
            }
            let start := add(encoded, 32)
            let end := add(start, mload(encoded))
            let head := byte(0, mload(start))
            let cursor := add(start, 1)
            let payloadLength := sub(head, 0xc0)
            if gt(head, 0xf7) {
                let lengthOfLength := sub(head, 0xf7)
                payloadLength := shr(sub(256, shl(3, lengthOfLength)), mload(cursor))
                cursor := add(cursor, lengthOfLength)
            }
            bad := or(lt(head, 0xc0), iszero(eq(add(cursor, payloadLength), end)))
            let err
            let word
            word, cursor, err := numberAt(cursor)
            mstore(result, word)
            bad := or(bad, err)
            word, cursor, err := numberAt(cursor)
            mstore(add(result, 32), word)
            bad := or(bad, err)
            word, cursor, err := hashAt(cursor)
            mstore(add(result, 64), word)
            bad := or(bad, err)
            word, cursor, err := hashAt(cursor)
            mstore(add(result, 96), word)
            bad := or(bad, err)
            bad := or(bad, iszero(eq(cursor, end)))
        }
        if (bad) revert BadStateValue();
    }

    /// @notice rlp([nonce, balance, storageRoot, codeHash]), as Ethereum encodes an account.
    function _encodeAccount(Account memory account) private pure returns (bytes memory out) {
        assembly ("memory-safe") {
            function byteLength(v) -> n {
                for {} v { v := shr(8, v) } { n := add(n, 1) }
            }
            // rlp of a number's minimal big-endian bytes (0: the empty string)
            function writeNumber(at, v) -> next {
                switch lt(v, 0x80)
                case 1 {
                    switch v
                    case 0 { mstore8(at, 0x80) }
                    default { mstore8(at, v) }
                    next := add(at, 1)
                }
                default {
                    let n := byteLength(v)
                    mstore8(at, add(0x80, n))
                    mstore(add(at, 1), shl(mul(8, sub(32, n)), v))
                    next := add(add(at, 1), n)
                }
            }
            out := mload(0x40)
            let start := add(out, 32)
            // two numbers (1 to 33 bytes each) and two hashes: a payload of 68 to 132 bytes
            let cursor := add(start, 2)
            cursor := writeNumber(cursor, mload(account))
            cursor := writeNumber(cursor, mload(add(account, 32)))
            mstore8(cursor, 0xa0)
            mstore(add(cursor, 1), mload(add(account, 64)))
            mstore8(add(cursor, 33), 0xa0)
            mstore(add(cursor, 34), mload(add(account, 96)))
            cursor := add(cursor, 66)
            mstore8(start, 0xf8)
            mstore8(add(start, 1), sub(cursor, add(start, 2)))
            mstore(out, sub(cursor, start))
            mstore(0x40, and(add(cursor, 63), not(31)))
        }
    }

    /// @notice The slot a failed inner call asks for, when it failed for want of one.
    function _missingSlot(bytes memory returned) private pure returns (bool wantsSlot, bytes32 slot) {
        if (returned.length != 36) return (false, 0);
        bytes4 selector;
        assembly ("memory-safe") {
            selector := mload(add(returned, 32))
            slot := mload(add(returned, 36))
        }
        return (selector == SlotNotInWitness.selector, slot);
    }
}
