// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {PoseidonT3} from "poseidon-solidity/PoseidonT3.sol";
import {PoseidonT4} from "poseidon-solidity/PoseidonT4.sol";
import {PoseidonT5} from "poseidon-solidity/PoseidonT5.sol";
import {PoseidonT6} from "poseidon-solidity/PoseidonT6.sol";
import {MACIVoting} from "../src/ballots/MACIVoting.sol";
import {BabyJubJub} from "../src/ballots/BabyJubJub.sol";
import {BallotLimits} from "../src/ballots/BallotLimits.sol";
import {ProcessMessagesVerifier_3_2_1} from "../src/verifiers/ProcessMessagesVerifier_3_2_1.sol";
import {IMembership, IProcessMessagesVerifier, ITallyVotesVerifier} from "../src/ballots/IBallotVerifiers.sol";
import {MockMembership, SwitchableVerifier} from "./mocks/BallotMocks.sol";
import {Test} from "./utils/Test.sol";

/// @dev Exposes the library to the tests.
contract BabyJubJubHarness {
    function isValidPublicKey(uint256 x, uint256 y, uint256 qx, uint256 qy) external pure returns (bool) {
        return BabyJubJub.isValidPublicKey(x, y, qx, qy);
    }

    function isOnCurve(uint256 x, uint256 y) external pure returns (bool) {
        return BabyJubJub.isOnCurve(x, y);
    }
}

contract MACIVotingTest is Test {
    // MACI seed-1 public key (shared/reference/maci.md) and Q with 8·Q = key (computed by the C# library).
    uint256 internal constant KEY_X = 7849177681360672621257726786949079749092629607596162839195961972852243798387;
    uint256 internal constant KEY_Y = 6476520406570543146511284735472598280851241629796745672331248892171436291770;
    uint256 internal constant HINT_X = 17395601179128464698450032337568243053601512812498395277339410147274080907006;
    uint256 internal constant HINT_Y = 8260932613610858569399197035031167963508445650788946039450369926399063557967;
    // key + (0, −1): on the curve, outside the prime-order subgroup; and the hint that the same recipe gives.
    uint256 internal constant MIXED_X = 14039065190478602600988678958308195339455734792819871504502242213723564697230;
    uint256 internal constant MIXED_Y = 15411722465268732075735121009784676807697122770619288671366955294404372203847;
    uint256 internal constant MIXED_HINT_X = 4492641692710810523796373407689032034946851587917639066358794039301727588611;
    uint256 internal constant MIXED_HINT_Y = 13627310258228416652847208710226107125039918749627088304247834260176744937650;
    // The padding key (circomlib's first Pedersen base point): leaf 0 and voided leaves hold it with 0 credits.
    uint256 internal constant PAD_X = 10457101036533406547632367118273992217979173478358440826365724437999023779287;
    uint256 internal constant PAD_Y = 19824078218392094440610104313265183977899662750282163392862422243483260492317;
    uint256 internal constant P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint64 internal constant DEADLINE = 1_000_000;

    MockMembership internal membership;
    SwitchableVerifier internal verifier;
    MACIVoting internal ballot;
    BabyJubJubHarness internal curve;
    ProcessMessagesVerifier_3_2_1 internal realVerifier;
    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);

    function setUp() public {
        vm.warp(100);
        membership = new MockMembership();
        verifier = new SwitchableVerifier();
        curve = new BabyJubJubHarness();
        realVerifier = new ProcessMessagesVerifier_3_2_1();
        ballot = _ballot(3, 2);
        membership.set(ALICE, true, 11);
        membership.set(BOB, true, 12);
    }

    function _settings(uint8 depth, uint8 batch) internal view returns (MACIVoting.Settings memory) {
        return MACIVoting.Settings({
            membership: IMembership(address(membership)),
            processVerifier: IProcessMessagesVerifier(address(verifier)),
            tallyVerifier: ITallyVotesVerifier(address(verifier)),
            stateTreeDepth: depth,
            batchSize: batch,
            voteOptionTreeDepth: 1,
            tallyBatchDepth: depth,
            voteOptions: 3,
            votingDeadline: DEADLINE,
            initialCredits: 1,
            coordinatorPublicKeyHash: 42
        });
    }

    function _ballot(uint8 depth, uint8 batch) internal returns (MACIVoting) {
        return new MACIVoting(_settings(depth, batch));
    }

    function _key() internal pure returns (MACIVoting.PublicKey memory, MACIVoting.PublicKey memory) {
        return (MACIVoting.PublicKey(KEY_X, KEY_Y), MACIVoting.PublicKey(HINT_X, HINT_Y));
    }

    function _signUp(MACIVoting target, address who) internal returns (uint256) {
        (MACIVoting.PublicKey memory key, MACIVoting.PublicKey memory hint) = _key();
        vm.prank(who);
        return target.signUp(key, hint);
    }

    function _data(uint256 seed) internal pure returns (uint256[10] memory data) {
        for (uint256 i = 0; i < 10; i++) {
            data[i] = uint256(keccak256(abi.encode(seed, i))) % P;
        }
    }

    function _publish(MACIVoting target, uint256 seed) internal {
        (MACIVoting.PublicKey memory key, MACIVoting.PublicKey memory hint) = _key();
        target.publishMessage(_data(seed), key, hint);
    }

    /// @dev hash2(chain, hash4(hash5(d0..d4), hash5(d5..d9), key.x, key.y)): the circuit's chain step.
    function _chainStep(uint256 chain, uint256 seed) internal pure returns (uint256) {
        uint256[10] memory d = _data(seed);
        uint256 left = PoseidonT6.hash([d[0], d[1], d[2], d[3], d[4]]);
        uint256 right = PoseidonT6.hash([d[5], d[6], d[7], d[8], d[9]]);
        return PoseidonT3.hash([chain, PoseidonT5.hash([left, right, KEY_X, KEY_Y])]);
    }

    // ------------------------------------------------------------------ keys

    function test_subgroup_check_accepts_keys_with_their_hint_and_refuses_the_rest() public view {
        assertTrue(curve.isValidPublicKey(KEY_X, KEY_Y, HINT_X, HINT_Y));
        assertTrue(curve.isOnCurve(MIXED_X, MIXED_Y));
        assertFalse(curve.isValidPublicKey(MIXED_X, MIXED_Y, MIXED_HINT_X, MIXED_HINT_Y), "a point outside the subgroup");
        // Hints differ by 8-torsion points (any of them works), but 8·Q must be the key itself.
        assertTrue(curve.isValidPublicKey(KEY_X, KEY_Y, MIXED_HINT_X, MIXED_HINT_Y));
        assertFalse(curve.isValidPublicKey(KEY_X, KEY_Y, KEY_X, KEY_Y), "a wrong hint");
        assertFalse(curve.isValidPublicKey(KEY_X + 1, KEY_Y, HINT_X, HINT_Y), "off the curve");
        assertFalse(curve.isValidPublicKey(0, 1, 0, 1), "the identity");
        assertFalse(curve.isValidPublicKey(KEY_X + P, KEY_Y, HINT_X, HINT_Y), "not reduced");
        assertFalse(curve.isValidPublicKey(KEY_X, KEY_Y, HINT_X + 1, HINT_Y), "hint off the curve");
    }

    function testFuzz_subgroup_check_refuses_random_points(uint256 x, uint256 y, uint256 qx, uint256 qy) public view {
        vm.assume(!(x == KEY_X && y == KEY_Y));
        assertFalse(curve.isValidPublicKey(x, y, qx, qy));
    }

    // ------------------------------------------------------------------ sign-up

    function test_members_sign_up_once_and_the_state_root_follows() public {
        uint256 before = ballot.stateRoot();
        assertEq(_signUp(ballot, ALICE), 1);
        assertEq(_signUp(ballot, BOB), 2);
        assertEq(ballot.numSignups(), 3);
        assertTrue(ballot.stateRoot() != before);

        vm.expectRevert(abi.encodeWithSelector(MACIVoting.AlreadySignedUp.selector, ALICE, uint256(11)));
        _signUp(ballot, ALICE);
    }

    function test_non_members_revoked_members_and_reused_tokens_cannot_sign_up() public {
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.NotMember.selector, address(0xE4E)));
        _signUp(ballot, address(0xE4E));

        membership.set(BOB, false, 12); // revoked
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.NotMember.selector, BOB));
        _signUp(ballot, BOB);

        _signUp(ballot, ALICE);
        address carol = address(0xCA201);
        membership.set(carol, true, 11); // the same token under another address
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.AlreadySignedUp.selector, carol, uint256(11)));
        _signUp(ballot, carol);
    }

    function test_sign_up_refuses_keys_outside_the_subgroup_and_after_the_deadline() public {
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.InvalidPublicKey.selector, MIXED_X, MIXED_Y));
        ballot.signUp(MACIVoting.PublicKey(MIXED_X, MIXED_Y), MACIVoting.PublicKey(MIXED_HINT_X, MIXED_HINT_Y));

        vm.warp(DEADLINE);
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.VotingEnded.selector, DEADLINE));
        _signUp(ballot, ALICE);
    }

    // ------------------------------------------------------------------ the electorate is membership

    /// @dev The state root of `leaves` in a depth-3 tree, computed from scratch.
    function _root(uint256[] memory leaves) internal pure returns (uint256) {
        uint256[] memory level = new uint256[](8);
        for (uint256 i = 0; i < leaves.length; i++) {
            level[i] = leaves[i];
        }
        while (level.length > 1) {
            uint256[] memory up = new uint256[](level.length / 2);
            for (uint256 i = 0; i < up.length; i++) {
                up[i] = PoseidonT3.hash([level[2 * i], level[2 * i + 1]]);
            }
            level = up;
        }
        return level[0];
    }

    function _blank() internal pure returns (uint256) {
        return PoseidonT4.hash([PAD_X, PAD_Y, uint256(0)]);
    }

    function _memberLeaf() internal pure returns (uint256) {
        return PoseidonT4.hash([KEY_X, KEY_Y, uint256(1)]);
    }

    function test_the_state_root_is_the_tree_of_the_leaves() public {
        uint256[] memory leaves = new uint256[](3);
        leaves[0] = _blank();
        assertEq(ballot.stateRoot(), _root(_slice(leaves, 1)));
        _signUp(ballot, ALICE);
        leaves[1] = _memberLeaf();
        assertEq(ballot.stateRoot(), _root(_slice(leaves, 2)));
        _signUp(ballot, BOB);
        leaves[2] = _memberLeaf();
        assertEq(ballot.stateRoot(), _root(leaves));
    }

    function _slice(uint256[] memory values, uint256 length) internal pure returns (uint256[] memory out) {
        out = new uint256[](length);
        for (uint256 i = 0; i < length; i++) {
            out[i] = values[i];
        }
    }

    function test_leaves_of_memberships_ended_during_voting_are_voided_at_close_and_re_admitted_members_vote_once() public {
        _signUp(ballot, ALICE); // 1: token 11
        _signUp(ballot, BOB); // 2: token 12
        address carol = address(0xCA201);
        membership.set(carol, true, 13);
        _signUp(ballot, carol); // 3: token 13

        vm.warp(500);
        membership.end(ALICE); // Alice leaves ...
        address aliceAgain = address(0xA11CE2);
        membership.set(aliceAgain, true, 21); // ... and is re-admitted at a new address
        assertEq(_signUp(ballot, aliceAgain), 4);
        membership.end(BOB); // Bob is revoked ...
        membership.set(BOB, true, 22); // ... and re-admitted at the same address under a new token
        assertEq(_signUp(ballot, BOB), 5);
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.NotMember.selector, ALICE)); // the old address is no member
        _signUp(ballot, ALICE);

        vm.warp(DEADLINE);
        membership.end(carol); // revoked once voting ended: her vote was a member's
        vm.expectEmit(address(ballot));
        emit MACIVoting.SignUpVoided(1, 11);
        vm.expectEmit(address(ballot));
        emit MACIVoting.SignUpVoided(2, 12);
        ballot.closeVoting();

        uint256[] memory voided = ballot.voidedLeaves();
        assertEq(voided.length, 2);
        assertEq(voided[0], 1);
        assertEq(voided[1], 2);
        // Two leaves for Alice and two for Bob were signed up; one of each can still vote.
        uint256[] memory leaves = new uint256[](6);
        (leaves[0], leaves[1], leaves[2]) = (_blank(), _blank(), _blank());
        (leaves[3], leaves[4], leaves[5]) = (_memberLeaf(), _memberLeaf(), _memberLeaf());
        assertEq(ballot.stateRoot(), _root(leaves));
        assertEq(ballot.sbCommitment(), PoseidonT4.hash([_root(leaves), ballot.emptyBallotRoot(), uint256(0)]));
        assertEq(ballot.numSignups(), 6, "voided leaves keep their indices");
    }

    function test_a_ballot_whose_members_all_stay_closes_with_the_root_of_its_sign_ups() public {
        membership.end(BOB); // left before the ballot: not a member, no leaf
        _signUp(ballot, ALICE);
        uint256 root = ballot.stateRoot();
        vm.warp(DEADLINE);
        ballot.closeVoting();
        assertEq(ballot.stateRoot(), root);
        assertEq(ballot.voidedLeaves().length, 0);
    }

    function test_the_state_tree_holds_two_to_the_depth_leaves() public {
        MACIVoting small = _ballot(2, 2);
        for (uint160 i = 1; i <= 3; i++) {
            membership.set(address(i), true, i);
            _signUp(small, address(i));
        }
        membership.set(address(4), true, 4);
        vm.expectRevert(MACIVoting.StateTreeFull.selector);
        _signUp(small, address(4));
    }

    function test_the_empty_ballot_root_is_the_ballot_tree_of_empty_ballots() public view {
        uint256 voteRoot = PoseidonT6.hash([uint256(0), 0, 0, 0, 0]);
        uint256 node = PoseidonT3.hash([uint256(0), voteRoot]);
        for (uint256 i = 0; i < 3; i++) {
            node = PoseidonT3.hash([node, node]);
        }
        assertEq(ballot.emptyBallotRoot(), node);
    }

    // ------------------------------------------------------------------ messages

    function test_anyone_publishes_and_every_full_batch_records_its_chain_hash() public {
        uint256 start = ballot.NOTHING_UP_MY_SLEEVE();
        assertEq(ballot.messageChain(), start);
        vm.prank(address(0xD00D)); // not a member: publishing is open to every address
        _publish(ballot, 0);
        assertEq(ballot.batchCount(), 0);
        uint256 afterOne = _chainStep(start, 0);
        assertEq(ballot.messageChain(), afterOne);
        _publish(ballot, 1);
        _publish(ballot, 2);
        assertEq(ballot.batchCount(), 1);
        assertEq(ballot.numMessages(), 3);
        uint256[] memory hashes = ballot.batchHashes();
        assertEq(hashes.length, 2);
        assertEq(hashes[0], start);
        assertEq(hashes[1], _chainStep(afterOne, 1));
        assertEq(ballot.messageChain(), _chainStep(hashes[1], 2));

        vm.warp(DEADLINE);
        ballot.closeVoting(); // closes the partial batch
        assertEq(ballot.batchHashes()[2], ballot.messageChain());
        assertEq(ballot.batchCount(), 2);
    }

    function test_messages_must_be_field_elements_under_a_valid_key_before_the_deadline() public {
        uint256[10] memory data;
        data[3] = P;
        (MACIVoting.PublicKey memory key, MACIVoting.PublicKey memory hint) = _key();
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.NotAFieldElement.selector, P));
        ballot.publishMessage(data, key, hint);
        data[3] = 0;
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.InvalidPublicKey.selector, MIXED_X, MIXED_Y));
        ballot.publishMessage(data, MACIVoting.PublicKey(MIXED_X, MIXED_Y), MACIVoting.PublicKey(MIXED_HINT_X, MIXED_HINT_Y));
        vm.warp(DEADLINE);
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.VotingEnded.selector, DEADLINE));
        ballot.publishMessage(data, key, hint);
    }

    function testFuzz_batches_account_for_every_message(uint8 count) public {
        count = uint8(bound(count, 0, 40));
        for (uint256 i = 0; i < count; i++) {
            _publish(ballot, i);
        }
        assertEq(ballot.numMessages(), count);
        assertEq(ballot.batchCount(), uint256(count) / 2);
        vm.warp(DEADLINE);
        ballot.closeVoting();
        assertEq(ballot.currentBatch(), (uint256(count) + 1) / 2);
        assertEq(ballot.batchCount(), (uint256(count) + 1) / 2);
        assertEq(ballot.batchHashes().length, (uint256(count) + 1) / 2 + 1);
    }

    // ------------------------------------------------------------------ proofs

    function _closeWith(uint256 messages) internal {
        _signUp(ballot, ALICE);
        for (uint256 i = 0; i < messages; i++) {
            _publish(ballot, i);
        }
        vm.warp(DEADLINE);
        ballot.closeVoting();
    }

    function _proof() internal pure returns (uint256[8] memory proof) {
        for (uint256 i = 0; i < 8; i++) {
            proof[i] = i + 1;
        }
    }

    function test_voting_closes_once_after_the_deadline_with_the_starting_commitment() public {
        _signUp(ballot, ALICE);
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.VotingOpen.selector, DEADLINE));
        ballot.closeVoting();
        vm.warp(DEADLINE);
        ballot.closeVoting();
        assertEq(ballot.sbCommitment(), PoseidonT4.hash([ballot.stateRoot(), ballot.emptyBallotRoot(), uint256(0)]));
        assertTrue(ballot.processingComplete()); // nothing published: nothing to process
        vm.expectRevert(MACIVoting.WrongPhase.selector);
        ballot.closeVoting();
    }

    function test_batches_are_proven_last_first_with_inputs_from_the_contract_state() public {
        _closeWith(3); // batches [0,2) and [2,3)
        uint256[] memory hashes = ballot.batchHashes();
        uint256 start = ballot.sbCommitment();
        uint256[8] memory proof = _proof();

        uint256[9] memory last = [ballot.numSignups(), hashes[2], 42, 3, start, 111, 2, 3, ballot.pollId()];
        vm.expectCall(
            address(verifier),
            abi.encodeWithSignature("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[9])", [proof[0], proof[1]], [[proof[2], proof[3]], [proof[4], proof[5]]], [proof[6], proof[7]], last)
        );
        ballot.processMessages(111, proof);
        assertEq(ballot.currentBatch(), 1);

        uint256[9] memory first = [ballot.numSignups(), hashes[1], 42, 3, 111, 222, 0, 2, ballot.pollId()];
        vm.expectCall(
            address(verifier),
            abi.encodeWithSignature("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[9])", [proof[0], proof[1]], [[proof[2], proof[3]], [proof[4], proof[5]]], [proof[6], proof[7]], first)
        );
        ballot.processMessages(222, proof);
        assertTrue(ballot.processingComplete());
        assertEq(ballot.sbCommitment(), 222);

        vm.expectRevert(MACIVoting.WrongPhase.selector); // a replayed proof has no batch left to prove
        ballot.processMessages(222, proof);
    }

    function test_a_proof_the_verifier_refuses_changes_nothing() public {
        _closeWith(1);
        uint256 before = ballot.sbCommitment();
        verifier.setAccept(false);
        vm.expectRevert(MACIVoting.InvalidProof.selector);
        ballot.processMessages(5, _proof());
        assertEq(ballot.sbCommitment(), before);
        assertEq(ballot.currentBatch(), 1);
    }

    function test_tally_comes_after_processing_and_results_must_match_its_commitment() public {
        _closeWith(1);
        vm.expectRevert(MACIVoting.WrongPhase.selector);
        ballot.tallyVotes(9, _proof());
        ballot.processMessages(5, _proof());

        uint256[] memory tally = new uint256[](5);
        tally[0] = 1;
        tally[2] = 3;
        uint256 root = PoseidonT6.hash([tally[0], tally[1], tally[2], tally[3], tally[4]]);
        uint256 commitment = PoseidonT3.hash([PoseidonT3.hash([root, 77]), PoseidonT3.hash([uint256(4), 88])]);
        vm.expectRevert(MACIVoting.WrongPhase.selector);
        ballot.publishResults(tally, 77, 4, 88);
        ballot.tallyVotes(commitment, _proof());
        vm.expectRevert(MACIVoting.WrongPhase.selector);
        ballot.tallyVotes(commitment, _proof());

        tally[2] = 4; // one vote more than proven
        vm.expectRevert(MACIVoting.ResultsMismatch.selector);
        ballot.publishResults(tally, 77, 4, 88);
        tally[2] = 3;
        vm.expectRevert(MACIVoting.ResultsMismatch.selector);
        ballot.publishResults(tally, 78, 4, 88);
        ballot.publishResults(tally, 77, 4, 88);
        assertEq(ballot.results()[2], 3);
        assertEq(ballot.totalSpent(), 4);
        assertTrue(ballot.resultsPublished());
    }

    function test_tally_batches_are_proven_in_order_each_from_the_last_commitment() public {
        MACIVoting.Settings memory settings = _settings(3, 2);
        settings.tallyBatchDepth = 2; // two proofs of four ballots
        ballot = new MACIVoting(settings);
        _closeWith(1);
        ballot.processMessages(5, _proof());
        assertEq(ballot.tallyBatchCount(), 2);
        uint256[8] memory proof = _proof();
        uint256[] memory tally = new uint256[](5);
        tally[1] = 1;
        uint256 last = _commitment(tally, 7, 1, 8);

        uint256[4] memory first = [uint256(5), 0, 333, 0];
        vm.expectCall(
            address(verifier),
            abi.encodeWithSignature("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[4])", [proof[0], proof[1]], [[proof[2], proof[3]], [proof[4], proof[5]]], [proof[6], proof[7]], first)
        );
        ballot.tallyVotes(333, proof);
        assertEq(ballot.tallyBatchesProven(), 1);
        assertFalse(ballot.tallyComplete());
        vm.expectRevert(MACIVoting.WrongPhase.selector); // results only once every batch is tallied
        ballot.publishResults(tally, 7, 1, 8);

        uint256[4] memory second = [uint256(5), 333, last, 1];
        vm.expectCall(
            address(verifier),
            abi.encodeWithSignature("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[4])", [proof[0], proof[1]], [[proof[2], proof[3]], [proof[4], proof[5]]], [proof[6], proof[7]], second)
        );
        ballot.tallyVotes(last, proof);
        assertTrue(ballot.tallyComplete());
        vm.expectRevert(MACIVoting.WrongPhase.selector); // no batch left: a replayed proof goes nowhere
        ballot.tallyVotes(last, proof);
        ballot.publishResults(tally, 7, 1, 8);
        assertEq(ballot.results()[1], 1);
    }

    function _commitment(uint256[] memory tally, uint256 resultsSalt, uint256 spent, uint256 spentSalt) internal pure returns (uint256) {
        uint256 root = PoseidonT6.hash([tally[0], tally[1], tally[2], tally[3], tally[4]]);
        return PoseidonT3.hash([PoseidonT3.hash([root, resultsSalt]), PoseidonT3.hash([spent, spentSalt])]);
    }

    function test_results_and_salts_shifted_by_the_field_modulus_are_refused() public {
        _closeWith(1);
        ballot.processMessages(5, _proof());
        uint256[] memory tally = new uint256[](5);
        tally[2] = 3;
        ballot.tallyVotes(_commitment(tally, 77, 4, 88), _proof());

        // Each of these hashes to the proven commitment (Poseidon reduces mod p); none is the proven tally.
        tally[2] = 3 + P;
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.NotAFieldElement.selector, 3 + P));
        ballot.publishResults(tally, 77, 4, 88);
        tally[2] = 3;
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.NotAFieldElement.selector, 4 + P));
        ballot.publishResults(tally, 77, 4 + P, 88);
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.NotAFieldElement.selector, 77 + P));
        ballot.publishResults(tally, 77 + P, 4, 88);
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.NotAFieldElement.selector, 88 + P));
        ballot.publishResults(tally, 77, 4, 88 + P);

        ballot.publishResults(tally, 77, 4, 88); // the proven results still go through
        assertEq(ballot.results()[2], 3);
        assertEq(ballot.totalSpent(), 4);
    }

    function test_commitments_outside_the_field_and_refused_tally_proofs_change_nothing() public {
        _closeWith(1);
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.NotAFieldElement.selector, P));
        ballot.processMessages(P, _proof());
        ballot.processMessages(5, _proof());

        vm.expectRevert(abi.encodeWithSelector(MACIVoting.NotAFieldElement.selector, P + 9));
        ballot.tallyVotes(P + 9, _proof());
        vm.expectRevert(abi.encodeWithSelector(MACIVoting.NotAFieldElement.selector, uint256(0)));
        ballot.tallyVotes(0, _proof()); // zero means "not tallied yet"
        verifier.setAccept(false);
        vm.expectRevert(MACIVoting.InvalidProof.selector);
        ballot.tallyVotes(9, _proof());
        assertEq(ballot.tallyCommitment(), 0);
    }

    function test_results_must_name_every_option_of_the_tree() public {
        _closeWith(1);
        ballot.processMessages(5, _proof());
        uint256[] memory tally = new uint256[](5);
        ballot.tallyVotes(_commitment(tally, 1, 0, 2), _proof());
        uint256[] memory three = new uint256[](3); // the ballot's options, but not the tree's leaves
        vm.expectRevert(MACIVoting.ResultsMismatch.selector);
        ballot.publishResults(three, 1, 0, 2);
        ballot.publishResults(tally, 1, 0, 2);
        vm.expectRevert(MACIVoting.WrongPhase.selector); // published once
        ballot.publishResults(tally, 1, 0, 2);
    }

    function test_limits_are_the_shared_bounds() public view {
        (uint256 bits, uint256 depth, uint256 batch, uint256 optionDepth, uint256 credits) = ballot.limits();
        assertEq(bits, BallotLimits.COMMAND_FIELD_BITS);
        assertEq(depth, BallotLimits.MAX_STATE_TREE_DEPTH);
        assertEq(batch, BallotLimits.MAX_BATCH_SIZE);
        assertEq(optionDepth, BallotLimits.MAX_VOTE_OPTION_TREE_DEPTH);
        assertEq(credits, BallotLimits.MAX_INITIAL_CREDITS);
        assertEq(credits, (uint256(1) << bits) - 1, "a credit balance fits a command field");
    }

    function test_every_ballot_derives_its_own_poll_id_from_the_chain_and_its_address() public {
        MACIVoting twin = _ballot(3, 2); // the same settings
        assertTrue(twin.pollId() != ballot.pollId(), "two ballots share a poll id");
        uint256 mask = (uint256(1) << BallotLimits.COMMAND_FIELD_BITS) - 1;
        assertEq(ballot.pollId(), uint256(keccak256(abi.encode(block.chainid, address(ballot)))) & mask);
        vm.chainId(31_338);
        MACIVoting elsewhere = _ballot(3, 2);
        assertEq(elsewhere.pollId(), uint256(keccak256(abi.encode(uint256(31_338), address(elsewhere)))) & mask);
        assertLe(elsewhere.pollId(), mask, "a command field: what the circuit can match");
    }

    function test_settings_beyond_what_the_circuits_and_the_coordinator_handle_are_refused() public {
        MACIVoting.Settings memory settings = _settings(uint8(BallotLimits.MAX_STATE_TREE_DEPTH), uint8(BallotLimits.MAX_BATCH_SIZE));
        settings.voteOptionTreeDepth = uint8(BallotLimits.MAX_VOTE_OPTION_TREE_DEPTH);
        settings.initialCredits = uint64(BallotLimits.MAX_INITIAL_CREDITS);
        new MACIVoting(settings); // every limit reached, none passed

        settings.initialCredits = uint64(BallotLimits.MAX_INITIAL_CREDITS + 1);
        vm.expectRevert(MACIVoting.InvalidSettings.selector);
        new MACIVoting(settings);
        settings.initialCredits = 1;
        settings.batchSize = uint8(BallotLimits.MAX_BATCH_SIZE + 1);
        vm.expectRevert(MACIVoting.InvalidSettings.selector);
        new MACIVoting(settings);
        settings.batchSize = 2;
        settings.stateTreeDepth = uint8(BallotLimits.MAX_STATE_TREE_DEPTH + 1);
        vm.expectRevert(MACIVoting.InvalidSettings.selector);
        new MACIVoting(settings);
        settings.stateTreeDepth = 3;
        settings.tallyBatchDepth = 4; // a tally batch larger than the ballot tree
        vm.expectRevert(MACIVoting.InvalidSettings.selector);
        new MACIVoting(settings);
        settings.tallyBatchDepth = 0;
        vm.expectRevert(MACIVoting.InvalidSettings.selector);
        new MACIVoting(settings);
        settings.tallyBatchDepth = 3;
        settings.voteOptionTreeDepth = uint8(BallotLimits.MAX_VOTE_OPTION_TREE_DEPTH + 1);
        vm.expectRevert(MACIVoting.InvalidSettings.selector);
        new MACIVoting(settings);
    }

    // ------------------------------------------------------------------ who pays for a message

    // A well-formed Groth16 proof that does not verify: every check and the full pairing run.
    function _wrongProof() internal pure returns (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) {
        a = [uint256(1), 2]; // the G1 generator
        c = a;
        b = [ // the G2 generator (imaginary part first, as the precompile takes it)
            [
                uint256(11559732032986387107991004021392285783925812861821192530917403151452391805634),
                10857046999023057135944570762232829481370756359578518086990519993285655852781
            ],
            [
                uint256(4082367875863433681332203403145435568316851327593401208105741076214120093531),
                8495653923123431417604973247489272438418190587263600148770280649306958101930
            ]
        ];
    }

    function test_gas_a_sender_publishes_one_message() public {
        _publish(ballot, 0);
    }

    function test_gas_the_coordinator_verifies_one_batch_proof() public view {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = _wrongProof();
        uint256[9] memory inputs;
        assertFalse(realVerifier.verifyProof(a, b, c, inputs));
    }

    function test_gas_closing_a_full_ballot_checks_every_membership() public {
        for (uint160 i = 1; i <= 7; i++) {
            membership.set(address(i), true, 100 + i);
            _signUp(ballot, address(i));
        }
        membership.end(address(3));
        vm.warp(DEADLINE);
        ballot.closeVoting(); // seven lookups, one leaf voided
        assertEq(ballot.voidedLeaves().length, 1);
    }

    function test_a_message_costs_its_sender_more_gas_than_the_coordinator_spends_on_it() public {
        _signUp(ballot, ALICE);
        _publish(ballot, 0);
        _publish(ballot, 1);
        (MACIVoting.PublicKey memory key, MACIVoting.PublicKey memory hint) = _key();
        uint256[10] memory data = _data(2);
        uint256 before = gasleft();
        ballot.publishMessage(data, key, hint); // the cheapest kind: no batch closed, no slot set from zero
        uint256 sender = before - gasleft();
        _publish(ballot, 3);
        vm.warp(DEADLINE);
        ballot.closeVoting();

        // The coordinator's on-chain work per batch: the contract's part (here with the test verifier) and a real verification.
        before = gasleft();
        ballot.processMessages(5, _proof());
        uint256 processing = before - gasleft();
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = _wrongProof();
        uint256[9] memory inputs = [ballot.numSignups(), ballot.batchHashes()[1], 42, 3, 5, 6, 0, 2, ballot.pollId()];
        before = gasleft();
        assertFalse(realVerifier.verifyProof(a, b, c, inputs));
        uint256 verification = before - gasleft();
        assertGt(verification, 150_000, "the pairing check ran");
        assertLe((processing + verification) / ballot.batchSize(), sender, "the coordinator spends more on a message than its sender");
    }
}
