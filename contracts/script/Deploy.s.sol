// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {ActionSchedule} from "../src/ActionSchedule.sol";
import {Constitution} from "../src/Constitution.sol";
import {CoopIdentity} from "../src/CoopIdentity.sol";
import {DecisionAnchor} from "../src/DecisionAnchor.sol";
import {InterCoopEscrow} from "../src/InterCoopEscrow.sol";
import {Vm} from "../test/utils/Vm.sol";

/// @title Deploy
/// @notice Deploys and wires one cooperative's contracts and writes the deployment manifest the
///         bridge reads. Keys come only from the environment:
///         - DEPLOYER_PRIVATE_KEY (required; pays for the deployment)
///         - BRIDGE_ANCHORER, BRIDGE_ISSUER (the bridge's keys; default: deployer)
///         - COOP_NAME, COOP_SYMBOL, FOUNDING_DOCUMENT_DIGESTS (comma-separated sha2-256 digests),
///           FOUNDERS_COUNT, CONFIRMATIONS, MAX_PAY_RATIO_X100, BALLOT_QUORUM_BPS
///         - NOTICE_PERIOD and NOTICE_FLOOR (seconds; default 48 hours each; a floor under 48 hours
///           is refused except on a local development chain), ACTION_VALIDITY (seconds; default
///           30 days), VETO_QUORUM_BPS (default 2000: a fifth of the members), RECOVERY_QUORUM_BPS (default
///           5001, at least a majority: members who may replace a stolen anchoring key at once)
///         - DEPLOYMENT_MANIFEST (default deployments/manifest.json; must be under ./deployments)
/// @dev No contract has an owner: the anchoring and issuing keys change only through the schedule
///      (a decision with notice, or a member quorum's recovery of the anchoring key).
///      Run: forge script contracts/script/Deploy.s.sol:Deploy --rpc-url $RPC --broadcast
contract Deploy {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// @notice Marks this contract as a forge script.
    bool public IS_SCRIPT = true;

    struct Deployment {
        DecisionAnchor anchor;
        ActionSchedule schedule;
        CoopIdentity identity;
        Constitution constitution;
        InterCoopEscrow escrow;
    }

    function run() external returns (Deployment memory deployment) {
        uint256 deployerKey = vm.envUint("DEPLOYER_PRIVATE_KEY");
        address deployer = vm.addr(deployerKey);
        address anchorer = vm.envOr("BRIDGE_ANCHORER", deployer);
        address issuer = vm.envOr("BRIDGE_ISSUER", deployer);
        uint256 deployBlock = block.number;

        vm.startBroadcast(deployerKey);
        deployment.anchor = new DecisionAnchor(anchorer);
        deployment.schedule = new ActionSchedule(deployment.anchor);
        deployment.anchor.bindGovernor(address(deployment.schedule));
        deployment.identity = new CoopIdentity(
            vm.envOr("COOP_NAME", string("Development Cooperative")),
            vm.envOr("COOP_SYMBOL", string("COOP")),
            deployment.schedule,
            issuer
        );
        deployment.constitution = _constitution(deployment);
        deployment.schedule.bind(deployment.identity, deployment.constitution);
        deployment.escrow = new InterCoopEscrow();
        vm.stopBroadcast();

        _writeManifest(deployment, deployBlock, anchorer, issuer);
    }

    /// @dev The valid ranges are part of the constitution: block confirmations 1–256; the highest
    ///      pay at most 1× to 100× the lowest (×100); a quorum of 0.01 % to 100 % (basis points);
    ///      a notice of the floor to 30 days; a validity of 1 hour to 365 days; a veto quorum of
    ///      0.01 % to 100 % of the members; a recovery quorum of a majority to all of them.
    function _constitution(Deployment memory deployment) private returns (Constitution) {
        Constitution.ParameterSpec[] memory parameters = new Constitution.ParameterSpec[](7);
        parameters[0] = Constitution.ParameterSpec("confirmations", vm.envOr("CONFIRMATIONS", uint256(2)), 1, 256);
        parameters[1] =
            Constitution.ParameterSpec("maxPayRatioX100", vm.envOr("MAX_PAY_RATIO_X100", uint256(600)), 100, 10_000);
        parameters[2] = Constitution.ParameterSpec("ballotQuorumBps", vm.envOr("BALLOT_QUORUM_BPS", uint256(5000)), 1, 10_000);
        uint256 floor = vm.envOr("NOTICE_FLOOR", uint256(48 hours));
        parameters[3] = Constitution.ParameterSpec("noticePeriod", vm.envOr("NOTICE_PERIOD", uint256(48 hours)), floor, 30 days);
        parameters[4] = Constitution.ParameterSpec("actionValidity", vm.envOr("ACTION_VALIDITY", uint256(30 days)), 1 hours, 365 days);
        parameters[5] = Constitution.ParameterSpec("vetoQuorumBps", vm.envOr("VETO_QUORUM_BPS", uint256(2000)), 1, 10_000);
        parameters[6] =
            Constitution.ParameterSpec("recoveryQuorumBps", vm.envOr("RECOVERY_QUORUM_BPS", uint256(5001)), 5001, 10_000);
        Constitution.Genesis memory genesis = Constitution.Genesis({
            cooperativeName: vm.envOr("COOP_NAME", string("Development Cooperative")),
            foundingDocuments: vm.envOr("FOUNDING_DOCUMENT_DIGESTS", ",", new bytes32[](0)),
            icaPrinciplesVersion: "ICA-1995",
            foundersCount: uint16(vm.envOr("FOUNDERS_COUNT", uint256(1))),
            identity: address(deployment.identity),
            ratifiedAt: 0
        });
        return new Constitution(genesis, deployment.schedule, parameters);
    }

    function _writeManifest(Deployment memory d, uint256 deployBlock, address anchorer, address issuer) private {
        string memory contracts = "contracts";
        vm.serializeString(contracts, "DecisionAnchor", _entry("DecisionAnchor", address(d.anchor), type(DecisionAnchor).creationCode));
        vm.serializeString(contracts, "ActionSchedule", _entry("ActionSchedule", address(d.schedule), type(ActionSchedule).creationCode));
        vm.serializeString(contracts, "CoopIdentity", _entry("CoopIdentity", address(d.identity), type(CoopIdentity).creationCode));
        vm.serializeString(contracts, "Constitution", _entry("Constitution", address(d.constitution), type(Constitution).creationCode));
        string memory contractsJson =
            vm.serializeString(contracts, "InterCoopEscrow", _entry("InterCoopEscrow", address(d.escrow), type(InterCoopEscrow).creationCode));

        string memory root = "manifest";
        vm.serializeUint(root, "formatVersion", 1);
        vm.serializeUint(root, "chainId", block.chainid);
        vm.serializeUint(root, "deployBlock", deployBlock);
        vm.serializeAddress(root, "anchorer", anchorer);
        vm.serializeAddress(root, "issuer", issuer);
        string memory json = vm.serializeString(root, "contracts", contractsJson);
        vm.writeJson(json, vm.envOr("DEPLOYMENT_MANIFEST", string("deployments/manifest.json")));
    }

    function _entry(string memory key, address deployed, bytes memory creationCode) private returns (string memory) {
        vm.serializeAddress(key, "address", deployed);
        return vm.serializeBytes32(key, "creationCodeHash", keccak256(creationCode));
    }
}
