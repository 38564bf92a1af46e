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
    uint256 constant alphax  = 17930262387299459109122543073063788760815000830478801279489235400289124275340;
    uint256 constant alphay  = 18249620597426551280325242677237759418543635561709995764174657757554965424728;
    uint256 constant betax1  = 1122993893756804211038239766657052253050286608419919472870774456173894295213;
    uint256 constant betax2  = 8984320153398540339086955490172236731505649748739597842583839917660432596004;
    uint256 constant betay1  = 689964501070594675100750063068520802759017516160787016058605187384986289167;
    uint256 constant betay2  = 2314388459088294270641436713267306447405184122402575753897258379962390955185;
    uint256 constant gammax1 = 11559732032986387107991004021392285783925812861821192530917403151452391805634;
    uint256 constant gammax2 = 10857046999023057135944570762232829481370756359578518086990519993285655852781;
    uint256 constant gammay1 = 4082367875863433681332203403145435568316851327593401208105741076214120093531;
    uint256 constant gammay2 = 8495653923123431417604973247489272438418190587263600148770280649306958101930;
    uint256 constant deltax1 = 15037695985325812379959427181187649954358897336641210891282595798160552341653;
    uint256 constant deltax2 = 11809132236266590870168656714340723027435171395393885782161410758710805987338;
    uint256 constant deltay1 = 19974623410612070040983459456677097501182435946405006002243198099278169678173;
    uint256 constant deltay2 = 17175456237348155551300720300681256302258068563621459911668567749717192309235;

    
    uint256 constant IC0x = 8926368800809861146826373526255821664736223818155416715137950169973053249833;
    uint256 constant IC0y = 7195059872475271383672417237549086882620979474036003601899633513652308070715;
    
    uint256 constant IC1x = 12068800565121071220742119825731864926395578761811132542408844389097005722717;
    uint256 constant IC1y = 5405547723825615033613141342067049232969662592197368868555008668132331323228;
    
    uint256 constant IC2x = 8729477306734046584908389721412344802716360100634919971543607353109826109324;
    uint256 constant IC2y = 3875904669568653754963252905758396963126525949917221772623919779741846139950;
    
    uint256 constant IC3x = 2698583618000081539839039254722913235056522612712309704583378085344092218478;
    uint256 constant IC3y = 18490796654178334323169768192512933102926639325554759523020221288717917588442;
    
    uint256 constant IC4x = 4011001932747059302167772434202727262879433511610313454875693467774328064425;
    uint256 constant IC4y = 10914406109651019558336507766379864248760966980051711844183928911587198171777;
    
    uint256 constant IC5x = 11220691585152305319144374153180525479028476707814890757300169601653851911666;
    uint256 constant IC5y = 15206565752240208166620285122366273025346678139053166236957885239800669606818;
    
    uint256 constant IC6x = 17168546543132878843896288417331112090922537565626799798656784074356953325458;
    uint256 constant IC6y = 21659798523310526408480161251921488977499034679557288969329986782336498190094;
    
    uint256 constant IC7x = 6362644557283916660219983052268490155676260042726425322038754727272003708052;
    uint256 constant IC7y = 20158613462173791405576894267088999676227370989711040458286118048223157689186;
    
    uint256 constant IC8x = 21354205527675179335964110787391015890677038189093504552744823079328977139096;
    uint256 constant IC8y = 1382571244274874175156626442058179499285898400337243420282497244610114348207;
    
    uint256 constant IC9x = 9986449344337085611192647257839020175221658201534902357104636846183430607265;
    uint256 constant IC9y = 307612189475490572232879102452679890150819301481473794685385160800616239036;
    
 
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
