// SPDX-License-Identifier: GPL-3.0
/*
    Copyright 2021 0KIMS association.

    This file is generated with [snarkJS](https://github.com/iden3/snarkjs).

    snarkJS is a free software: you can redistribute it and/or modify it
    under the terms of the GNU General Public License as published by
    the Free Software Foundation, either version 3 of the License, or
    (at your option) any later version.

    snarkJS is distributed in the hope that it will be useful, but WITHOUT
    ANY WARRANTY; without even the implied warranty of MERCHANTABILITY
    or FITNESS FOR A PARTICULAR PURPOSE. See the GNU General Public
    License for more details.

    You should have received a copy of the GNU General Public License
    along with snarkJS. If not, see <https://www.gnu.org/licenses/>.
*/

pragma solidity >=0.7.0 <0.9.0;

contract ProcessMessagesVerifier_3_2_1 {
    // Scalar field size
    uint256 constant r    = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    // Base field size
    uint256 constant q   = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    // Verification Key data
    uint256 constant alphax  = 18871384859666780909775367959222101769979679098523692538309190797694417202654;
    uint256 constant alphay  = 16693673411844281289308622148460226625212280554667306258944625165211122950255;
    uint256 constant betax1  = 2607790237343069338114853220815511822332586884699490671801700302962288948167;
    uint256 constant betax2  = 1522846796731328232136441202525834039691935711854915926583289219825238340268;
    uint256 constant betay1  = 20473052213900887477259654274312090267985044316736783259397165395575523034099;
    uint256 constant betay2  = 15075108362021639512864881946779368475001515972854959170923709303434641946969;
    uint256 constant gammax1 = 11559732032986387107991004021392285783925812861821192530917403151452391805634;
    uint256 constant gammax2 = 10857046999023057135944570762232829481370756359578518086990519993285655852781;
    uint256 constant gammay1 = 4082367875863433681332203403145435568316851327593401208105741076214120093531;
    uint256 constant gammay2 = 8495653923123431417604973247489272438418190587263600148770280649306958101930;
    uint256 constant deltax1 = 15037695985325812379959427181187649954358897336641210891282595798160552341653;
    uint256 constant deltax2 = 11809132236266590870168656714340723027435171395393885782161410758710805987338;
    uint256 constant deltay1 = 19974623410612070040983459456677097501182435946405006002243198099278169678173;
    uint256 constant deltay2 = 17175456237348155551300720300681256302258068563621459911668567749717192309235;

    
    uint256 constant IC0x = 18613618321004587076917297946360721319691698356094000876274549672438172957830;
    uint256 constant IC0y = 17073427488879697020211077413004083310874295746021091329180878856991470188103;
    
    uint256 constant IC1x = 5233617732247476251814843782053180590913793226406337499139382361159583354217;
    uint256 constant IC1y = 2526995717358732825667348701355532622164595703316349590329871225575077304169;
    
    uint256 constant IC2x = 20344906757787715114641361035275689297390095386100701541950325380132431319616;
    uint256 constant IC2y = 6204686603381072810442990298172096271096146165525835304760623093565737986684;
    
    uint256 constant IC3x = 12164840533976373741520872029223619944856797884265098081027746889433038478993;
    uint256 constant IC3y = 20613822159937818725836977543097390109955693772047431457888089286761518452189;
    
    uint256 constant IC4x = 13436745987397431657358360890330732719743118805538860941683795480422887205195;
    uint256 constant IC4y = 16175441066531886329197774278794520999818201848317636741795097259258458707757;
    
    uint256 constant IC5x = 11085318372441787953610565734781728863637567460412956286923081914962375519671;
    uint256 constant IC5y = 4656624690275041708250445786846455874624934237626491989878691645408446912517;
    
    uint256 constant IC6x = 12178985873974682588578780228572512135393193532715425970709785356033948458627;
    uint256 constant IC6y = 3722767977964929535644731053970319961175373144784098408742532141027435998335;
    
    uint256 constant IC7x = 6512224442891197562842055477342223742927847055149891755411549496613621445100;
    uint256 constant IC7y = 13899136340447464582770363249239748693167617358185981108951985545850338157994;
    
    uint256 constant IC8x = 4075963437532203436407029174527327130624271322223723029140342975214133802457;
    uint256 constant IC8y = 9201089776812430417251129271658290150505960707047074849749194981629778682916;
    
    uint256 constant IC9x = 1497681160649302785518336408533238859474179598118714972562948809432435768473;
    uint256 constant IC9y = 1921899769037620626560351772382442964621316578326537689244252658847803338385;
    
 
    // Memory data
    uint16 constant pVk = 0;
    uint16 constant pPairing = 128;

    uint16 constant pLastMem = 896;

    function verifyProof(uint[2] calldata _pA, uint[2][2] calldata _pB, uint[2] calldata _pC, uint[9] calldata _pubSignals) public view returns (bool) {
        assembly {
            function checkField(v) {
                if iszero(lt(v, r)) {
                    mstore(0, 0)
                    return(0, 0x20)
                }
            }
            
            // G1 function to multiply a G1 value(x,y) to value in an address
            function g1_mulAccC(pR, x, y, s) {
                let success
                let mIn := mload(0x40)
                mstore(mIn, x)
                mstore(add(mIn, 32), y)
                mstore(add(mIn, 64), s)

                success := staticcall(sub(gas(), 2000), 7, mIn, 96, mIn, 64)

                if iszero(success) {
                    mstore(0, 0)
                    return(0, 0x20)
                }

                mstore(add(mIn, 64), mload(pR))
                mstore(add(mIn, 96), mload(add(pR, 32)))

                success := staticcall(sub(gas(), 2000), 6, mIn, 128, pR, 64)

                if iszero(success) {
                    mstore(0, 0)
                    return(0, 0x20)
                }
            }

            function checkPairing(pA, pB, pC, pubSignals, pMem) -> isOk {
                let _pPairing := add(pMem, pPairing)
                let _pVk := add(pMem, pVk)

                mstore(_pVk, IC0x)
                mstore(add(_pVk, 32), IC0y)

                // Compute the linear combination vk_x
                
                g1_mulAccC(_pVk, IC1x, IC1y, calldataload(add(pubSignals, 0)))
                
                g1_mulAccC(_pVk, IC2x, IC2y, calldataload(add(pubSignals, 32)))
                
                g1_mulAccC(_pVk, IC3x, IC3y, calldataload(add(pubSignals, 64)))
                
                g1_mulAccC(_pVk, IC4x, IC4y, calldataload(add(pubSignals, 96)))
                
                g1_mulAccC(_pVk, IC5x, IC5y, calldataload(add(pubSignals, 128)))
                
                g1_mulAccC(_pVk, IC6x, IC6y, calldataload(add(pubSignals, 160)))
                
                g1_mulAccC(_pVk, IC7x, IC7y, calldataload(add(pubSignals, 192)))
                
                g1_mulAccC(_pVk, IC8x, IC8y, calldataload(add(pubSignals, 224)))
                
                g1_mulAccC(_pVk, IC9x, IC9y, calldataload(add(pubSignals, 256)))
                

                // -A
                mstore(_pPairing, calldataload(pA))
                mstore(add(_pPairing, 32), mod(sub(q, calldataload(add(pA, 32))), q))

                // B
                mstore(add(_pPairing, 64), calldataload(pB))
                mstore(add(_pPairing, 96), calldataload(add(pB, 32)))
                mstore(add(_pPairing, 128), calldataload(add(pB, 64)))
                mstore(add(_pPairing, 160), calldataload(add(pB, 96)))

                // alpha1
                mstore(add(_pPairing, 192), alphax)
                mstore(add(_pPairing, 224), alphay)

                // beta2
                mstore(add(_pPairing, 256), betax1)
                mstore(add(_pPairing, 288), betax2)
                mstore(add(_pPairing, 320), betay1)
                mstore(add(_pPairing, 352), betay2)

                // vk_x
                mstore(add(_pPairing, 384), mload(add(pMem, pVk)))
                mstore(add(_pPairing, 416), mload(add(pMem, add(pVk, 32))))


                // gamma2
                mstore(add(_pPairing, 448), gammax1)
                mstore(add(_pPairing, 480), gammax2)
                mstore(add(_pPairing, 512), gammay1)
                mstore(add(_pPairing, 544), gammay2)

                // C
                mstore(add(_pPairing, 576), calldataload(pC))
                mstore(add(_pPairing, 608), calldataload(add(pC, 32)))

                // delta2
                mstore(add(_pPairing, 640), deltax1)
                mstore(add(_pPairing, 672), deltax2)
                mstore(add(_pPairing, 704), deltay1)
                mstore(add(_pPairing, 736), deltay2)


                let success := staticcall(sub(gas(), 2000), 8, _pPairing, 768, _pPairing, 0x20)

                isOk := and(success, mload(_pPairing))
            }

            let pMem := mload(0x40)
            mstore(0x40, add(pMem, pLastMem))

            // Validate that all evaluations ∈ F
            
            checkField(calldataload(add(_pubSignals, 0)))
            
            checkField(calldataload(add(_pubSignals, 32)))
            
            checkField(calldataload(add(_pubSignals, 64)))
            
            checkField(calldataload(add(_pubSignals, 96)))
            
            checkField(calldataload(add(_pubSignals, 128)))
            
            checkField(calldataload(add(_pubSignals, 160)))
            
            checkField(calldataload(add(_pubSignals, 192)))
            
            checkField(calldataload(add(_pubSignals, 224)))
            
            checkField(calldataload(add(_pubSignals, 256)))
            

            // Validate all evaluations
            let isValid := checkPairing(_pA, _pB, _pC, _pubSignals, pMem)

            mstore(0, isValid)
             return(0, 0x20)
         }
     }
 }
