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

    
    uint256 constant IC0x = 17795686513094658823211023415811509155437853639839588109728723762979191879602;
    uint256 constant IC0y = 4753044310893850916082532488018386948905369773658370843268563037087574835043;
    
    uint256 constant IC1x = 11825873279401116856969975647689607387224114364564312144193720181913324916624;
    uint256 constant IC1y = 17454352695276424916620303407769920996223096167091166850936615059957639529712;
    
    uint256 constant IC2x = 19537956755508086668142059026118958397119288414264355357514057139144552680795;
    uint256 constant IC2y = 2316856993338840337637720890295817020273055725253519311393657322417190065769;
    
    uint256 constant IC3x = 9544290330853290038805565504668130067009736139723749770726489362473897948958;
    uint256 constant IC3y = 19252065691213956874067522641718863648459273537401958215259917251531224750736;
    
    uint256 constant IC4x = 8823868516559344872370201324386375154670399857759988057242271514727841013253;
    uint256 constant IC4y = 14973906639297050292678684317479569301143414307527654999397089989565627315421;
    
    uint256 constant IC5x = 19898130057463248475584977108871860568964778906847197728165889666109175461562;
    uint256 constant IC5y = 20014956746022501252136714020751006572528511022131133815551575503683801151630;
    
    uint256 constant IC6x = 3499967776761750104006120984823636932224451663150482207430025535134390996496;
    uint256 constant IC6y = 7632152900015047956161053598295316330393029370426315575198440204392969326175;
    
    uint256 constant IC7x = 19736667700846154024535062050161736736739282892026060974416403109086608719111;
    uint256 constant IC7y = 15035097947410117053404345000172184863179173479764204210339545110963657223548;
    
    uint256 constant IC8x = 16794299825124597033389438106035749946318627443245157089553429481531055893536;
    uint256 constant IC8y = 5447257429201375612518834349036679411309775536659838455912417419779365806268;
    
    uint256 constant IC9x = 4892037797122599483379136250103143335678066988465230247284831077583367673341;
    uint256 constant IC9y = 17937739215223292565624591197709598704176484849569803764333133082008719448886;
    
 
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
