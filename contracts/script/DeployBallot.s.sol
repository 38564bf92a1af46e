// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {MACIVoting} from "../src/ballots/MACIVoting.sol";
import {IMembership, IProcessMessagesVerifier, ITallyVotesVerifier} from "../src/ballots/IBallotVerifiers.sol";
import {ProcessMessagesVerifier_3_2_1} from "../src/verifiers/ProcessMessagesVerifier_3_2_1.sol";
import {TallyVotesVerifier_3_2_1} from "../src/verifiers/TallyVotesVerifier_3_2_1.sol";
import {Vm} from "../test/utils/Vm.sol";

/// @title DeployBallot
/// @notice Deploys one secret ballot (MACIVoting) for a cooperative's CoopIdentity and writes its
///         manifest. Settings from the environment:
///         - DEPLOYER_PRIVATE_KEY (required)
///         - BALLOT_MEMBERSHIP (the CoopIdentity), BALLOT_COORDINATOR_KEY_HASH (hash2 of the
///           coordinator's public key), BALLOT_VOTE_OPTIONS, BALLOT_DEADLINE (unix time); the poll id is derived by the contract
///         - BALLOT_CREDITS (default 1: one member, one vote)
///         - BALLOT_PROCESS_VERIFIER, BALLOT_TALLY_VERIFIER with BALLOT_STATE_DEPTH, BALLOT_BATCH_SIZE,
///           BALLOT_VOTE_OPTION_DEPTH, BALLOT_TALLY_BATCH_DEPTH for another shape; default: the test
///           shape (3, 2, 1; tally batches of 2^2) with its verifiers deployed here
///         - BALLOT_MANIFEST (default deployments/ballot.json; must be under ./deployments)
contract DeployBallot {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// @notice Marks this contract as a forge script.
    bool public IS_SCRIPT = true;

    function run() external returns (MACIVoting ballot) {
        uint256 deployerKey = vm.envUint("DEPLOYER_PRIVATE_KEY");
        uint256 deployBlock = block.number;
        address processVerifier = vm.envOr("BALLOT_PROCESS_VERIFIER", address(0));
        address tallyVerifier = vm.envOr("BALLOT_TALLY_VERIFIER", address(0));
        vm.startBroadcast(deployerKey);
        if (processVerifier == address(0)) processVerifier = address(new ProcessMessagesVerifier_3_2_1());
        if (tallyVerifier == address(0)) tallyVerifier = address(new TallyVotesVerifier_3_2_1());
        ballot = new MACIVoting(
            MACIVoting.Settings({
                membership: IMembership(vm.envOr("BALLOT_MEMBERSHIP", address(0))),
                processVerifier: IProcessMessagesVerifier(processVerifier),
                tallyVerifier: ITallyVotesVerifier(tallyVerifier),
                stateTreeDepth: uint8(vm.envOr("BALLOT_STATE_DEPTH", uint256(3))),
                batchSize: uint8(vm.envOr("BALLOT_BATCH_SIZE", uint256(2))),
                voteOptionTreeDepth: uint8(vm.envOr("BALLOT_VOTE_OPTION_DEPTH", uint256(1))),
                tallyBatchDepth: uint8(vm.envOr("BALLOT_TALLY_BATCH_DEPTH", uint256(2))),
                voteOptions: uint8(vm.envUint("BALLOT_VOTE_OPTIONS")),
                votingDeadline: uint64(vm.envUint("BALLOT_DEADLINE")),
                initialCredits: uint64(vm.envOr("BALLOT_CREDITS", uint256(1))),
                coordinatorPublicKeyHash: vm.envUint("BALLOT_COORDINATOR_KEY_HASH")
            })
        );
        vm.stopBroadcast();

        string memory root = "ballot";
        vm.serializeUint(root, "formatVersion", 1);
        vm.serializeUint(root, "chainId", block.chainid);
        vm.serializeUint(root, "deployBlock", deployBlock);
        vm.serializeAddress(root, "ballot", address(ballot));
        vm.serializeAddress(root, "processVerifier", processVerifier);
        vm.serializeAddress(root, "tallyVerifier", tallyVerifier);
        vm.serializeBytes32(root, "creationCodeHash", keccak256(type(MACIVoting).creationCode));
        string memory json = vm.serializeAddress(root, "membership", address(ballot.membership()));
        vm.writeJson(json, vm.envOr("BALLOT_MANIFEST", string("deployments/ballot.json")));
    }
}
