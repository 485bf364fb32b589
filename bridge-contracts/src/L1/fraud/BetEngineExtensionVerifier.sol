// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {BetEngineExtension} from "../../stf/BetEngineExtension.sol";
import {BetEngineWitnessFrame} from "./BetEngineWitnessFrame.sol";

/// @title BetEngineExtensionVerifier
/// @notice The L1 build of BetEngineExtension, the second half of the bet engine's rules
///         (docs/decisions/0008). BetEngineVerifier creates it and runs it only by delegatecall from
///         its own inner frame, so `_load`/`_store` read and write the verifier's transient state;
///         called any other way, every rule reverts with NotVerifierCall.
contract BetEngineExtensionVerifier is BetEngineExtension, BetEngineWitnessFrame {}
